-- +goose Up
-- Reconciliation against M-Pesa's own records (package reconcile).

-- What M-Pesa says happened: the rows of organisation statements and of
-- the Pull API, kept because M-Pesa keeps pulled data only 48 hours. One row
-- per receipt and kind (a payment, a charge on it, a reversal of it, other),
-- whichever source brought it first; the other source only marks it seen.
-- Amounts are positive: paid in for payments, withdrawn for the others.
CREATE TABLE mpesa_records (
    receipt      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT '',
    completed_at BIGINT NOT NULL,
    initiated_at BIGINT NOT NULL DEFAULT 0,
    day          TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    reason_type  TEXT NOT NULL DEFAULT '',
    details      TEXT NOT NULL DEFAULT '',
    payer        TEXT NOT NULL DEFAULT '',
    payer_name   TEXT NOT NULL DEFAULT '',
    account_ref  TEXT NOT NULL DEFAULT '',
    linked       TEXT NOT NULL DEFAULT '',
    statement_id TEXT NOT NULL DEFAULT '',
    pulled_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (receipt, kind)
);
CREATE INDEX mpesa_records_day ON mpesa_records (day, kind);
CREATE INDEX mpesa_records_linked ON mpesa_records (linked) WHERE linked <> '';

-- Statements imported, each file once (by the SHA-256 of its bytes).
CREATE TABLE recon_statements (
    id          TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL DEFAULT '',
    short_code  TEXT NOT NULL DEFAULT '',
    row_count   INTEGER NOT NULL,
    covers_from BIGINT NOT NULL,
    covers_to   BIGINT NOT NULL,
    imported_at BIGINT NOT NULL,
    imported_by TEXT NOT NULL
);

-- How far the Pull API has been read, and which node holds the lease to
-- read on: several nodes share the database, one pulls at a time.
CREATE TABLE recon_pull_cursor (
    name        TEXT PRIMARY KEY,
    covered_to  BIGINT NOT NULL,
    lease_until BIGINT NOT NULL,
    lease_by    TEXT NOT NULL
);
INSERT INTO recon_pull_cursor (name, covered_to, lease_until, lease_by) VALUES ('pull', 0, 0, '');

CREATE TABLE recon_pulls (
    id          TEXT PRIMARY KEY,
    window_from BIGINT NOT NULL,
    window_to   BIGINT NOT NULL,
    row_count   INTEGER NOT NULL,
    new_count   INTEGER NOT NULL,
    node        TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL
);

-- Differences between M-Pesa's records and Mteja's, one per kind and
-- receipt. state: open (waits for finance), auto (Mteja acted by itself;
-- action says how), resolved (a finance user acted).
CREATE TABLE recon_exceptions (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    receipt      TEXT NOT NULL,
    day          TEXT NOT NULL,
    source       TEXT NOT NULL,
    payment_id   TEXT NOT NULL DEFAULT '',
    mpesa_amount BIGINT,
    mteja_amount BIGINT,
    account_ref  TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL,
    state        TEXT NOT NULL,
    action       TEXT NOT NULL DEFAULT '',
    found_at     BIGINT NOT NULL,
    resolved_at  BIGINT,
    resolved_by  TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, receipt)
);
CREATE INDEX recon_exceptions_state ON recon_exceptions (state, found_at);
CREATE INDEX recon_exceptions_day ON recon_exceptions (day);

-- A day's close fixes its figures (seq 1); what changes them later is a
-- correction of its own (seq 2, 3, ...), dated when it was made. Nothing
-- here is ever updated or deleted.
CREATE TABLE recon_closes (
    id        TEXT PRIMARY KEY,
    day       TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    made_at   BIGINT NOT NULL,
    made_by   TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    UNIQUE (day, seq)
);
CREATE TABLE recon_close_lines (
    close_id  TEXT NOT NULL REFERENCES recon_closes(id),
    line      TEXT NOT NULL,
    n         BIGINT NOT NULL,
    amount    BIGINT NOT NULL,
    PRIMARY KEY (close_id, line)
);

-- +goose Down
DROP TABLE recon_close_lines;
DROP TABLE recon_closes;
DROP TABLE recon_exceptions;
DROP TABLE recon_pulls;
DROP TABLE recon_pull_cursor;
DROP TABLE recon_statements;
DROP TABLE mpesa_records;
