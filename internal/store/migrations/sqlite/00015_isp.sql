-- +goose Up
-- Internet service billing (package isp): plans, subscribers and their
-- subscriptions with every change of state, wallets, purchases, vouchers,
-- routers (NAS), RADIUS sessions and the CoA and Disconnect requests waiting
-- to be sent. Money is BIGINT minor units; times BIGINT microseconds UTC.

-- What a payment buys: a payment to one of the ISP's short codes is the
-- ISP applier's work item, every other one the vend worker's as before.
ALTER TABLE payments ADD COLUMN service TEXT NOT NULL DEFAULT 'electricity';
-- The STK push a payment answers (its CheckoutRequestID), which names the
-- bundle a customer ordered.
ALTER TABLE payments ADD COLUMN checkout_id TEXT NOT NULL DEFAULT '';
-- An STK push for the ISP keeps the subscriber's username in meter_drn,
-- and the short code it was made for, which its payment is then to.
ALTER TABLE stk_requests ADD COLUMN service TEXT NOT NULL DEFAULT 'electricity';
ALTER TABLE stk_requests ADD COLUMN short_code TEXT NOT NULL DEFAULT '';

-- Prices include VAT and excise duty. Rates are bits per second from the
-- router's side (rx is the client's upload), as Mikrotik-Rate-Limit has them.
CREATE TABLE isp_plans (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    billing          TEXT NOT NULL,
    price            BIGINT NOT NULL,
    duration_s       BIGINT NOT NULL DEFAULT 0,
    data_bytes       BIGINT NOT NULL DEFAULT 0,
    rate_rx          BIGINT NOT NULL DEFAULT 0,
    rate_tx          BIGINT NOT NULL DEFAULT 0,
    burst_rx         BIGINT NOT NULL DEFAULT 0,
    burst_tx         BIGINT NOT NULL DEFAULT 0,
    threshold_rx     BIGINT NOT NULL DEFAULT 0,
    threshold_tx     BIGINT NOT NULL DEFAULT 0,
    burst_time_s     INTEGER NOT NULL DEFAULT 0,
    shared_users     INTEGER NOT NULL DEFAULT 1,
    fair_use_bytes   BIGINT NOT NULL DEFAULT 0,
    fair_rx          BIGINT NOT NULL DEFAULT 0,
    fair_tx          BIGINT NOT NULL DEFAULT 0,
    fallback_plan_id TEXT NOT NULL DEFAULT '',
    grace_s          BIGINT NOT NULL DEFAULT 0,
    framed_pool      TEXT NOT NULL DEFAULT '',
    active           INTEGER NOT NULL DEFAULT 1,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- A subscriber's username is the account number typed in M-Pesa and the
-- RADIUS User-Name; the password is sealed (CHAP needs it in plain form).
-- balance is the wallet: prepaid credit not yet spent on a plan.
CREATE TABLE isp_subscribers (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    password_sealed TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL DEFAULT 'en',
    balance         BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE isp_subscriber_phones (
    subscriber_id TEXT NOT NULL REFERENCES isp_subscribers(id),
    msisdn        TEXT NOT NULL,
    PRIMARY KEY (subscriber_id, msisdn)
);
CREATE INDEX isp_subscriber_phones_msisdn ON isp_subscriber_phones (msisdn);

-- One live (not terminated) subscription per subscriber. data_limit and
-- data_used count the current period's bytes (0 limit: unlimited);
-- ends_at 0 means no end. alerts holds the usage alerts already sent.
CREATE TABLE isp_subscriptions (
    id            TEXT PRIMARY KEY,
    subscriber_id TEXT NOT NULL REFERENCES isp_subscribers(id),
    plan_id       TEXT NOT NULL REFERENCES isp_plans(id),
    state         TEXT NOT NULL,
    anchor_day    INTEGER NOT NULL DEFAULT 0,
    period_start  BIGINT NOT NULL DEFAULT 0,
    ends_at       BIGINT NOT NULL DEFAULT 0,
    grace_until   BIGINT NOT NULL DEFAULT 0,
    data_limit    BIGINT NOT NULL DEFAULT 0,
    data_used     BIGINT NOT NULL DEFAULT 0,
    throttled     INTEGER NOT NULL DEFAULT 0,
    alerts        INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX isp_subscriptions_live ON isp_subscriptions (subscriber_id) WHERE state <> 'terminated';
CREATE INDEX isp_subscriptions_due ON isp_subscriptions (state, ends_at);

-- Every change of a subscription's state or plan, with its reason.
CREATE TABLE isp_subscription_history (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES isp_subscriptions(id),
    from_state      TEXT NOT NULL,
    to_state        TEXT NOT NULL,
    plan_id         TEXT NOT NULL,
    reason          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX isp_subscription_history_sub ON isp_subscription_history (subscription_id, at);

-- Each movement of a wallet, with the balance after it. (kind, ref) is
-- unique: a payment credits a wallet once.
CREATE TABLE isp_wallet_entries (
    id            TEXT PRIMARY KEY,
    subscriber_id TEXT NOT NULL REFERENCES isp_subscribers(id),
    kind          TEXT NOT NULL,
    ref           TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    balance       BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    UNIQUE (kind, ref)
);
CREATE INDEX isp_wallet_entries_subscriber ON isp_wallet_entries (subscriber_id, at);

-- Plans bought: the price split into its net, excise and VAT at the rates
-- in force when bought, paid from a wallet (possibly another subscriber's:
-- bought for a friend) or by a voucher.
CREATE TABLE isp_purchases (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES isp_subscriptions(id),
    subscriber_id   TEXT NOT NULL,
    plan_id         TEXT NOT NULL,
    price           BIGINT NOT NULL,
    net             BIGINT NOT NULL,
    excise          BIGINT NOT NULL,
    vat             BIGINT NOT NULL,
    paid_by         TEXT NOT NULL,
    payer_id        TEXT NOT NULL DEFAULT '',
    ref             TEXT NOT NULL DEFAULT '',
    period_start    BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX isp_purchases_subscriber ON isp_purchases (subscriber_id, created_at);
CREATE INDEX isp_purchases_created ON isp_purchases (created_at);

-- STK pushes for a bundle: the plan ordered, found by the push's id.
CREATE TABLE isp_orders (
    checkout_request_id TEXT PRIMARY KEY,
    subscriber_id       TEXT NOT NULL REFERENCES isp_subscribers(id),
    plan_id             TEXT NOT NULL REFERENCES isp_plans(id),
    msisdn              TEXT NOT NULL,
    amount              BIGINT NOT NULL,
    channel             TEXT NOT NULL,
    created_at          BIGINT NOT NULL
);

CREATE TABLE isp_voucher_batches (
    id         TEXT PRIMARY KEY,
    plan_id    TEXT NOT NULL REFERENCES isp_plans(id),
    count      INTEGER NOT NULL,
    price      BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- A voucher is found by a keyed digest of its code; the code itself is
-- sealed, readable only to print the batch's sheet.
CREATE TABLE isp_vouchers (
    digest      TEXT PRIMARY KEY,
    batch_id    TEXT NOT NULL REFERENCES isp_voucher_batches(id),
    seq         INTEGER NOT NULL,
    code_sealed TEXT NOT NULL,
    redeemed_at BIGINT,
    redeemed_by TEXT NOT NULL DEFAULT '',
    UNIQUE (batch_id, seq)
);

-- Routers that may talk RADIUS to us, each with its own sealed secret.
CREATE TABLE isp_nas (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    addr          TEXT NOT NULL UNIQUE,
    secret_sealed TEXT NOT NULL,
    coa_port      INTEGER NOT NULL DEFAULT 3799,
    created_at    BIGINT NOT NULL
);

-- RADIUS accounting sessions, keyed by the NAS and its Acct-Session-Id,
-- with the last counters heard. A session that goes silent is closed
-- (stopped_at set, terminate_cause 'Stale'), never deleted.
CREATE TABLE isp_sessions (
    id              TEXT PRIMARY KEY,
    nas_id          TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    username        TEXT NOT NULL,
    subscriber_id   TEXT NOT NULL DEFAULT '',
    subscription_id TEXT NOT NULL DEFAULT '',
    framed_ip       TEXT NOT NULL DEFAULT '',
    calling_station TEXT NOT NULL DEFAULT '',
    started_at      BIGINT NOT NULL,
    last_at         BIGINT NOT NULL,
    stopped_at      BIGINT,
    input_bytes     BIGINT NOT NULL DEFAULT 0,
    output_bytes    BIGINT NOT NULL DEFAULT 0,
    session_time_s  BIGINT NOT NULL DEFAULT 0,
    interim_s       INTEGER NOT NULL,
    terminate_cause TEXT NOT NULL DEFAULT ''
);
CREATE INDEX isp_sessions_open ON isp_sessions (subscriber_id) WHERE stopped_at IS NULL;
CREATE INDEX isp_sessions_silent ON isp_sessions (last_at) WHERE stopped_at IS NULL;
CREATE INDEX isp_sessions_nas ON isp_sessions (nas_id) WHERE stopped_at IS NULL;
CREATE INDEX isp_sessions_username ON isp_sessions (username, started_at);

-- CoA and Disconnect requests for the RADIUS server to send, with their
-- attempts and last result. One pending Disconnect per session at most.
CREATE TABLE isp_changes (
    id            TEXT PRIMARY KEY,
    nas_id        TEXT NOT NULL,
    session_key   TEXT NOT NULL,
    username      TEXT NOT NULL,
    session_id    TEXT NOT NULL,
    framed_ip     TEXT NOT NULL DEFAULT '',
    disconnect    INTEGER NOT NULL,
    rate_limit    TEXT NOT NULL DEFAULT '',
    address_list  TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL,
    state         TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_result   TEXT NOT NULL DEFAULT '',
    next_at       BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    done_at       BIGINT
);
CREATE INDEX isp_changes_due ON isp_changes (next_at) WHERE state = 'pending';
CREATE UNIQUE INDEX isp_changes_disconnect ON isp_changes (session_key) WHERE state = 'pending' AND disconnect = 1;

-- +goose Down
DROP TABLE isp_changes;
DROP TABLE isp_sessions;
DROP TABLE isp_nas;
DROP TABLE isp_vouchers;
DROP TABLE isp_voucher_batches;
DROP TABLE isp_orders;
DROP TABLE isp_purchases;
DROP TABLE isp_wallet_entries;
DROP TABLE isp_subscription_history;
DROP TABLE isp_subscriptions;
DROP TABLE isp_subscriber_phones;
DROP TABLE isp_subscribers;
DROP TABLE isp_plans;
ALTER TABLE stk_requests DROP COLUMN short_code;
ALTER TABLE stk_requests DROP COLUMN service;
ALTER TABLE payments DROP COLUMN checkout_id;
ALTER TABLE payments DROP COLUMN service;
