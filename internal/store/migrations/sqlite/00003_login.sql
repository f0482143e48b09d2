-- +goose Up
-- Customer login: a one-time code sent by SMS to a registered phone, then a
-- session (a web cookie or an app's bearer token). Codes and session tokens
-- are stored only as hashes.
CREATE TABLE login_codes (
    id          TEXT PRIMARY KEY,
    msisdn      TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX login_codes_msisdn ON login_codes (msisdn, created_at);

CREATE TABLE login_sessions (
    token_hash  TEXT PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    msisdn      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX login_sessions_msisdn ON login_sessions (msisdn);

-- One row per code request, keyed by phone and by client address, so that
-- every node sees the same counts; rows older than the longest window are
-- pruned as new ones arrive.
CREATE TABLE login_requests (
    bucket      TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX login_requests_bucket ON login_requests (bucket, at);
CREATE INDEX login_requests_at ON login_requests (at);

-- +goose Down
DROP TABLE login_requests;
DROP TABLE login_sessions;
DROP TABLE login_codes;
