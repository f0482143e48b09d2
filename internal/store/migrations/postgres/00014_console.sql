-- +goose Up
-- USSD sessions as the gateway's end-of-session notification tells them,
-- for the customer's timeline in the staff console and for reports.
CREATE TABLE ussd_sessions (
    id           TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL,
    msisdn       TEXT NOT NULL,
    status       TEXT NOT NULL,
    input        TEXT NOT NULL DEFAULT '',
    hops         INTEGER NOT NULL DEFAULT 0,
    duration_ms  BIGINT NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    at           BIGINT NOT NULL,
    UNIQUE (session_id)
);
CREATE INDEX ussd_sessions_msisdn ON ussd_sessions (msisdn, at);

-- The answers of USSD steps that changed something (an STK push, a fault),
-- so that a request the gateway resends to another node is answered without
-- acting twice. Kept a few minutes: a session lasts about three.
CREATE TABLE ussd_steps (
    key         TEXT PRIMARY KEY,
    answer      TEXT NOT NULL DEFAULT '',
    failed      INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    at          BIGINT NOT NULL
);
CREATE INDEX ussd_steps_at ON ussd_steps (at);

-- Care looks a token up by its digits when a customer reads one out.
CREATE INDEX tokens_digits ON tokens (digits);

-- +goose Down
DROP INDEX tokens_digits;
DROP TABLE ussd_steps;
DROP TABLE ussd_sessions;
