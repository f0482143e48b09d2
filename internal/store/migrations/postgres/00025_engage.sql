-- +goose Up
-- Messages Mteja sends unasked, to keep customers in supply.

-- One low-credit reminder a purchase cycle: a meter is reminded at most once
-- after each last purchase (vend), whichever node sweeps first. The figures
-- are the ones the message gave, for the console and for questions later.
CREATE TABLE credit_reminders (
    meter_drn   TEXT NOT NULL,
    vend_id     TEXT NOT NULL,
    usual_days  INTEGER NOT NULL,
    since_days  INTEGER NOT NULL,
    phones      INTEGER NOT NULL,
    sent_at     BIGINT NOT NULL,
    PRIMARY KEY (meter_drn, vend_id)
);
CREATE INDEX credit_reminders_sent ON credit_reminders (sent_at);

-- One notice of a tariff change to each phone, per version (a tariff and
-- the date its new version takes effect) and price told: a coming version
-- whose figures are reworked before its date is told again, with the new
-- price; one reworked without changing the price is not.
CREATE TABLE tariff_notices (
    tariff_id      TEXT NOT NULL,
    effective_from BIGINT NOT NULL,
    per_kwh        BIGINT NOT NULL,
    msisdn         TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    sent_at        BIGINT NOT NULL,
    PRIMARY KEY (tariff_id, effective_from, per_kwh, msisdn)
);
CREATE INDEX tariff_notices_sent ON tariff_notices (sent_at);

-- +goose Down
DROP INDEX tariff_notices_sent;
DROP TABLE tariff_notices;
DROP INDEX credit_reminders_sent;
DROP TABLE credit_reminders;
