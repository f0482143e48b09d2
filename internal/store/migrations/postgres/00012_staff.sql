-- +goose Up
-- Staff accounts for the console: a password (argon2id), a TOTP seed
-- (sealed with the seal key, which is not in the database), recovery codes
-- and sessions. A new account waits in 'setup' with a one-time link.
ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'setup';
ALTER TABLE users ADD COLUMN totp_sealed TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN setup_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN setup_expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX users_setup ON users (setup_hash);

CREATE TABLE staff_recovery_codes (
    user_id     TEXT NOT NULL REFERENCES users(id),
    code_hash   TEXT NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE staff_sessions (
    token_hash   TEXT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users(id),
    address      TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

-- +goose Down
DROP TABLE staff_sessions;
DROP TABLE staff_recovery_codes;
DROP INDEX users_setup;
ALTER TABLE users DROP COLUMN updated_at;
ALTER TABLE users DROP COLUMN setup_expires_at;
ALTER TABLE users DROP COLUMN setup_hash;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_sealed;
ALTER TABLE users DROP COLUMN status;
ALTER TABLE users DROP COLUMN name;
