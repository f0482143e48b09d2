-- +goose Up
-- Agents: outlets that sell tokens for cash from a float they prepaid,
-- their users (each with a PIN for the USSD menu), commission rules, shifts
-- and the sales made in them. Money is BIGINT minor units.

-- float is what the outlet has prepaid, less what it has sold; it may go
-- down to -credit_limit and never further. Every sale lowers it with a
-- conditional UPDATE whose row count says whether there was room, and the
-- CHECK refuses any write that would break the rule however it is made.
CREATE TABLE agent_outlets (
    id           TEXT PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    float        BIGINT NOT NULL DEFAULT 0,
    credit_limit BIGINT NOT NULL DEFAULT 0,
    status       TEXT NOT NULL DEFAULT 'active',
    created_at   BIGINT NOT NULL,
    CHECK (credit_limit >= 0),
    CHECK (float >= -credit_limit)
);

-- Commission on each sale, by tariff ('' for every tariff without a rule
-- of its own): a share in basis points, or a fixed amount per sale.
CREATE TABLE agent_commissions (
    outlet_id  TEXT NOT NULL REFERENCES agent_outlets(id),
    tariff_id  TEXT NOT NULL DEFAULT '',
    share_bp   INTEGER NOT NULL DEFAULT 0,
    fixed      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (outlet_id, tariff_id)
);

-- An agent user works for one outlet, from one phone. The PIN is an
-- argon2id hash; failed tries lock the user for a while.
CREATE TABLE agent_users (
    id           TEXT PRIMARY KEY,
    outlet_id    TEXT NOT NULL REFERENCES agent_outlets(id),
    name         TEXT NOT NULL,
    msisdn       TEXT NOT NULL UNIQUE,
    pin_hash     TEXT NOT NULL,
    failed       INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    status       TEXT NOT NULL DEFAULT 'active',
    created_at   BIGINT NOT NULL
);

-- A shift is a user's time at the till: sales belong to it, and its close
-- compares the cash counted with the cash the sales should have brought.
CREATE TABLE agent_shifts (
    id          TEXT PRIMARY KEY,
    outlet_id   TEXT NOT NULL REFERENCES agent_outlets(id),
    user_id     TEXT NOT NULL REFERENCES agent_users(id),
    opened_at   BIGINT NOT NULL,
    closed_at   BIGINT,
    sales       INTEGER NOT NULL DEFAULT 0,
    expected    BIGINT NOT NULL DEFAULT 0,
    counted     BIGINT NOT NULL DEFAULT 0,
    difference  BIGINT NOT NULL DEFAULT 0
);
-- One open shift a user.
CREATE UNIQUE INDEX agent_shifts_open ON agent_shifts (user_id) WHERE closed_at IS NULL;
CREATE INDEX agent_shifts_outlet ON agent_shifts (outlet_id, opened_at);

-- A cash sale: its own payment (provider 'agent'), vended as any other.
-- request_key makes a retried request the same sale.
CREATE TABLE agent_sales (
    id          TEXT PRIMARY KEY,
    outlet_id   TEXT NOT NULL REFERENCES agent_outlets(id),
    user_id     TEXT NOT NULL REFERENCES agent_users(id),
    shift_id    TEXT NOT NULL REFERENCES agent_shifts(id),
    request_key TEXT NOT NULL,
    payment_id  TEXT NOT NULL UNIQUE REFERENCES payments(id),
    receipt     TEXT NOT NULL,
    meter_drn   TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    commission  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    UNIQUE (outlet_id, request_key)
);
CREATE INDEX agent_sales_shift ON agent_sales (shift_id);
CREATE INDEX agent_sales_meter ON agent_sales (meter_drn, created_at);

-- A code sent to a customer's phone before an agent adds the phone to a
-- meter: the code's SHA-256 with the row's id, never the code.
CREATE TABLE agent_phone_codes (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES agent_users(id),
    meter_drn   TEXT NOT NULL,
    msisdn      TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX agent_phone_codes_user ON agent_phone_codes (user_id, meter_drn, msisdn);

-- An agent user's web session: the token's SHA-256 (it holds 256 random
-- bits), never the token.
CREATE TABLE agent_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES agent_users(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX agent_sessions_user ON agent_sessions (user_id);

-- +goose Down
DROP TABLE agent_sessions;
DROP TABLE agent_phone_codes;
DROP TABLE agent_sales;
DROP TABLE agent_shifts;
DROP TABLE agent_users;
DROP TABLE agent_commissions;
DROP TABLE agent_outlets;
