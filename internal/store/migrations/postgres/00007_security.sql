-- +goose Up
-- Requests counted for limits that must hold on every node (package quota):
-- one row per request, kept a little over a day. item names what a request
-- was about, for limits that count distinct things (meters looked up).
CREATE TABLE quota_hits (
    bucket      TEXT NOT NULL,
    item        TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX quota_hits_bucket ON quota_hits (bucket, at);
CREATE INDEX quota_hits_at ON quota_hits (at);

-- A fingerprint of each gateway's callback secret, so that a node started
-- with a different secret than the others refuses to start instead of
-- answering its gateway's callbacks with 404s. The secret itself is never
-- stored here.
CREATE TABLE callback_secrets (
    name        TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    set_at      BIGINT NOT NULL
);

-- Transaction status queries Mteja sent to M-Pesa about receipts it never
-- heard of. A result is taken only when it carries the ids of one of these.
CREATE TABLE status_queries (
    id               TEXT PRIMARY KEY,
    receipt          TEXT NOT NULL,
    originator_id    TEXT NOT NULL DEFAULT '',
    conversation_id  TEXT NOT NULL DEFAULT '',
    sent_at          BIGINT NOT NULL,
    result_code      TEXT NOT NULL DEFAULT '',
    -- what Mteja made of the result: recorded, not_found, not_ours, ...
    outcome          TEXT NOT NULL DEFAULT '',
    result_at        BIGINT
);
CREATE INDEX status_queries_receipt ON status_queries (receipt, sent_at);
CREATE INDEX status_queries_originator ON status_queries (originator_id);
CREATE INDEX status_queries_conversation ON status_queries (conversation_id);

-- Who asked about a receipt, and for which meter: the first ask of each
-- phone is kept and never overwritten.
CREATE TABLE receipt_asks (
    receipt     TEXT NOT NULL,
    msisdn      TEXT NOT NULL,
    meter       TEXT NOT NULL DEFAULT '',
    channel     TEXT NOT NULL DEFAULT '',
    asked_at    BIGINT NOT NULL,
    PRIMARY KEY (receipt, msisdn)
);

-- C2B validation requests M-Pesa sent before taking the money: the account
-- the customer typed, which a transaction status result does not carry, for
-- a payment whose confirmation is then lost.
CREATE TABLE c2b_validations (
    receipt     TEXT PRIMARY KEY,
    account_ref TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    short_code  TEXT NOT NULL,
    payer       TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX c2b_validations_at ON c2b_validations (received_at);

CREATE INDEX stk_requests_msisdn ON stk_requests (msisdn, created_at);

-- +goose Down
DROP INDEX stk_requests_msisdn;
DROP TABLE c2b_validations;
DROP TABLE receipt_asks;
DROP TABLE status_queries;
DROP TABLE callback_secrets;
DROP TABLE quota_hits;
