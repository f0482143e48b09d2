-- +goose Up
-- Core schema: customers and meters, tariffs, payments and their vends and
-- tokens, the ledger, the outbox, jobs, staff and audit. Times are BIGINT
-- microseconds since the Unix epoch, UTC; money is BIGINT minor units.

CREATE TABLE customers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL DEFAULT 'en',
    created_at  BIGINT NOT NULL
);

-- The phones a customer has registered; they receive the customer's token
-- messages and identify the customer on USSD and SMS.
CREATE TABLE customer_phones (
    customer_id TEXT NOT NULL REFERENCES customers(id),
    msisdn      TEXT NOT NULL,
    PRIMARY KEY (customer_id, msisdn)
);
CREATE INDEX customer_phones_msisdn ON customer_phones (msisdn);

-- A tariff keeps its whole definition (all versions, as the operator wrote
-- it) so that a vend can always be re-priced exactly as it was.
CREATE TABLE tariffs (
    id          TEXT PRIMARY KEY,
    currency    TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE meters (
    drn             TEXT PRIMARY KEY,
    customer_id     TEXT REFERENCES customers(id),
    sgc             TEXT NOT NULL,
    ti              INTEGER NOT NULL,
    krn             INTEGER NOT NULL,
    kt              INTEGER NOT NULL,
    ken             INTEGER NOT NULL DEFAULT 255,
    base_date       INTEGER NOT NULL,
    algorithm       TEXT NOT NULL,
    dkga            TEXT NOT NULL,
    tariff_id       TEXT NOT NULL REFERENCES tariffs(id),
    debt            BIGINT NOT NULL DEFAULT 0,
    last_tid        BIGINT NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'active',
    area            TEXT NOT NULL DEFAULT '',
    -- A key change waiting to ride along with the next credit token (JSON of
    -- the new ti, krn, kt, ken, base_date, rollover), or ''.
    pending_key     TEXT NOT NULL DEFAULT '',
    -- Energy bought in the current calendar month, for block tariffs.
    month           TEXT NOT NULL DEFAULT '',
    month_wh        BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX meters_customer ON meters (customer_id);

-- A payment is also the vend worker's work item while state = 'received'.
CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    provider        TEXT NOT NULL,
    receipt         TEXT NOT NULL UNIQUE,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    payer           TEXT NOT NULL DEFAULT '',
    payer_name      TEXT NOT NULL DEFAULT '',
    notify_msisdn   TEXT NOT NULL DEFAULT '',
    account_ref     TEXT NOT NULL DEFAULT '',
    meter_drn       TEXT,
    short_code      TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    paid_at         BIGINT NOT NULL,
    received_at     BIGINT NOT NULL,
    run_after       BIGINT NOT NULL DEFAULT 0,
    resolved_at     BIGINT,
    resolved_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX payments_work ON payments (received_at) WHERE state = 'received';
CREATE INDEX payments_suspense ON payments (received_at) WHERE state = 'suspense';
CREATE INDEX payments_meter ON payments (meter_drn, received_at);

-- STK pushes we started: the callback carries only CheckoutRequestID, so the
-- meter and phone are kept here when the request is sent.
CREATE TABLE stk_requests (
    checkout_request_id TEXT PRIMARY KEY,
    merchant_request_id TEXT NOT NULL,
    msisdn              TEXT NOT NULL,
    meter_drn           TEXT NOT NULL,
    amount              BIGINT NOT NULL,
    channel             TEXT NOT NULL,
    state               TEXT NOT NULL,
    result_code         INTEGER,
    result_desc         TEXT NOT NULL DEFAULT '',
    receipt             TEXT NOT NULL DEFAULT '',
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX stk_requests_pending ON stk_requests (created_at) WHERE state = 'pending';

CREATE TABLE vends (
    id              TEXT PRIMARY KEY,
    payment_id      TEXT NOT NULL UNIQUE REFERENCES payments(id),
    meter_drn       TEXT NOT NULL REFERENCES meters(drn),
    tariff_id       TEXT NOT NULL,
    tariff_version  TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    energy_wh       BIGINT NOT NULL,
    tenths          BIGINT NOT NULL,
    quote           TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX vends_meter ON vends (meter_drn, created_at);

-- Tokens are immutable once made. A vend's tokens are in entry order (seq):
-- key-change sections first, then the credit token.
CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    vend_id     TEXT REFERENCES vends(id),
    meter_drn   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    class       INTEGER NOT NULL,
    subclass    INTEGER NOT NULL,
    digits      TEXT NOT NULL,
    tid         BIGINT NOT NULL,
    tenths      BIGINT NOT NULL DEFAULT 0,
    issued_by   TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (vend_id, seq)
);
CREATE INDEX tokens_meter ON tokens (meter_drn, created_at);

-- Double-entry postings: debits positive, credits negative; each txn_id sums
-- to zero.
CREATE TABLE ledger_postings (
    id          INTEGER PRIMARY KEY,
    txn_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL,
    account     TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX ledger_postings_txn ON ledger_postings (txn_id);
CREATE INDEX ledger_postings_ref ON ledger_postings (ref);

-- The outbox: every outgoing message, and the delivery worker's work item.
CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    recipient       TEXT NOT NULL,
    channel         TEXT NOT NULL,
    lane            TEXT NOT NULL,
    template        TEXT NOT NULL,
    language        TEXT NOT NULL,
    body            TEXT NOT NULL,
    ref             TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    route           TEXT NOT NULL DEFAULT '',
    provider_id     TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    queued_at       BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    submitted_at    BIGINT,
    delivered_at    BIGINT,
    finished_at     BIGINT,
    notice_at       BIGINT
);
CREATE INDEX messages_work ON messages (lane, next_attempt_at) WHERE state = 'queued';
CREATE INDEX messages_ref ON messages (ref);
CREATE INDEX messages_provider ON messages (provider_id);
CREATE INDEX messages_recipient ON messages (recipient, queued_at);

-- Everything else that must happen later: status queries for lost callbacks,
-- retries, periodic tasks. unique_key makes enqueueing idempotent.
CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    unique_key  TEXT UNIQUE,
    payload     TEXT NOT NULL DEFAULT '{}',
    state       TEXT NOT NULL,
    run_at      BIGINT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    done_at     BIGINT
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE state = 'pending';

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_subject ON audit_events (subject, at);

-- Faults customers report (USSD, SMS, web); care staff work them.
CREATE TABLE faults (
    id          TEXT PRIMARY KEY,
    ref         TEXT NOT NULL UNIQUE,
    msisdn      TEXT NOT NULL,
    meter_drn   TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE faults;
DROP TABLE audit_events;
DROP TABLE api_keys;
DROP TABLE users;
DROP TABLE jobs;
DROP TABLE messages;
DROP TABLE ledger_postings;
DROP TABLE tokens;
DROP TABLE vends;
DROP TABLE stk_requests;
DROP TABLE payments;
DROP TABLE meters;
DROP TABLE tariffs;
DROP TABLE customer_phones;
DROP TABLE customers;
