-- +goose Up
-- The service charter's cases: one row a standard and case (a ticket, an
-- outage, or a payment whose token came late), with the state its clock
-- last showed. A case decided (met or breached) is never judged again.
CREATE TABLE charter_cases (
    standard     TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    meter_drn    TEXT NOT NULL DEFAULT '',
    started_at   BIGINT NOT NULL,
    stopped_at   BIGINT,
    elapsed_s    BIGINT NOT NULL DEFAULT 0,
    state        TEXT NOT NULL,
    escalated_at BIGINT,
    breached_at  BIGINT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (standard, case_id)
);
CREATE INDEX charter_cases_started ON charter_cases (started_at);
CREATE INDEX charter_cases_case ON charter_cases (case_id);

-- Compensation owed for a breach, one row a standard, case and meter: the
-- key is what makes a breach pay once however often it is judged. The
-- meter's next vend takes it (vend_id) in the vend's own transaction.
CREATE TABLE charter_credits (
    id         TEXT PRIMARY KEY,
    standard   TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    meter_drn  TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    vend_id    TEXT,
    applied_at BIGINT,
    reminded_at BIGINT,
    UNIQUE (standard, case_id, meter_drn)
);
CREATE INDEX charter_credits_waiting ON charter_credits (meter_drn) WHERE vend_id IS NULL;
CREATE INDEX charter_credits_vend ON charter_credits (vend_id);

-- What a vend gave on top of the money paid: compensation, in minor units.
ALTER TABLE vends ADD COLUMN compensation BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE vends DROP COLUMN compensation;
DROP TABLE charter_credits;
DROP TABLE charter_cases;
