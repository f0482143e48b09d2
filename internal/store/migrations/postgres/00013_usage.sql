-- +goose Up
-- Management reports (package report) and the record of self-service use
-- they count (package usage).

-- Uses of each self-service function, per day (EAT, YYYY-MM-DD), channel
-- and action. Each node counts in memory and adds its counts here every
-- minute, so that a USSD screen or a portal page costs no write of its own.
CREATE TABLE usage_daily (
    day      TEXT NOT NULL,
    channel  TEXT NOT NULL,
    action   TEXT NOT NULL,
    uses     BIGINT NOT NULL,
    PRIMARY KEY (day, channel, action)
);

-- When a fault was closed, for the time it took.
ALTER TABLE faults ADD COLUMN closed_at BIGINT;
CREATE INDEX faults_created ON faults (created_at);

-- Reports read a period of vends and payments; without these each report
-- would read the whole table.
CREATE INDEX vends_created ON vends (created_at);
CREATE INDEX payments_received ON payments (received_at);
-- The channel of an STK payment is on its push, found by the receipt.
CREATE INDEX stk_requests_receipt ON stk_requests (receipt) WHERE receipt <> '';

-- +goose Down
DROP INDEX stk_requests_receipt;
DROP INDEX payments_received;
DROP INDEX vends_created;
DROP INDEX faults_created;
ALTER TABLE faults DROP COLUMN closed_at;
DROP TABLE usage_daily;
