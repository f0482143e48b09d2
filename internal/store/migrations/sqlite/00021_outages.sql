-- +goose Up
-- A meter's place in the network below its area: the feeder and the
-- distribution transformer it hangs on. Outages are declared on any level.
ALTER TABLE meters ADD COLUMN feeder TEXT NOT NULL DEFAULT '';
ALTER TABLE meters ADD COLUMN transformer TEXT NOT NULL DEFAULT '';
CREATE INDEX meters_feeder ON meters (feeder);
CREATE INDEX meters_transformer ON meters (transformer);

-- An outage is on a level (area, feeder, transformer) and place; the area
-- stays the one customers see it under. A suspected one (grouped from
-- customers' reports) is confirmed or dismissed by staff. ends_at is the
-- estimated time of restoration.
ALTER TABLE outages ADD COLUMN level TEXT NOT NULL DEFAULT 'area';
ALTER TABLE outages ADD COLUMN place TEXT NOT NULL DEFAULT '';
ALTER TABLE outages ADD COLUMN state TEXT NOT NULL DEFAULT 'confirmed';
ALTER TABLE outages ADD COLUMN confirmed_at BIGINT;
ALTER TABLE outages ADD COLUMN confirmed_by TEXT NOT NULL DEFAULT '';
CREATE INDEX outages_state ON outages (state, restored_at);
-- One suspected outage a place at a time: reports arriving together on
-- two nodes join one.
CREATE UNIQUE INDEX outages_one_suspected ON outages (level, place) WHERE state = 'suspected';

-- The events customers are told of: started, etr, restored, and planned
-- work 48 h and 2 h ahead. A sweeper sends each once it is due (due_at),
-- and marks it sent (sent_at) in the same transaction.
CREATE TABLE outage_events (
    id          TEXT PRIMARY KEY,
    outage_id   TEXT NOT NULL REFERENCES outages(id),
    kind        TEXT NOT NULL,
    due_at      BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    swept_at    BIGINT,
    recipients  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (outage_id, kind, due_at)
);
CREATE INDEX outage_events_due ON outage_events (swept_at, due_at);

-- Each phone is told once per event: a retried sweep or a second node
-- finds the row and sends nothing.
CREATE TABLE outage_notices (
    event_id    TEXT NOT NULL REFERENCES outage_events(id),
    msisdn      TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (event_id, msisdn)
);
-- A restoration notice asks "reply 1 if you still have no power": the
-- newest notice of a phone is the question its digit answers.
CREATE INDEX outage_notices_msisdn ON outage_notices (msisdn, created_at);

-- Phones without a meter in an area that asked for its notices.
CREATE TABLE outage_subscriptions (
    msisdn      TEXT NOT NULL,
    area        TEXT NOT NULL,
    language    TEXT NOT NULL DEFAULT 'en',
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (msisdn, area)
);
CREATE INDEX outage_subscriptions_area ON outage_subscriptions (area);

-- "No power" reports by USSD or SMS; reports close in place and time
-- become one suspected outage (outage_id).
CREATE TABLE outage_reports (
    id          TEXT PRIMARY KEY,
    msisdn      TEXT NOT NULL,
    drn         TEXT NOT NULL,
    area        TEXT NOT NULL,
    feeder      TEXT NOT NULL DEFAULT '',
    transformer TEXT NOT NULL DEFAULT '',
    channel     TEXT NOT NULL,
    outage_id   TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX outage_reports_area ON outage_reports (area, created_at);

-- +goose Down
DROP TABLE outage_reports;
DROP TABLE outage_subscriptions;
DROP TABLE outage_notices;
DROP TABLE outage_events;
DROP INDEX outages_one_suspected;
DROP INDEX outages_state;
ALTER TABLE outages DROP COLUMN confirmed_by;
ALTER TABLE outages DROP COLUMN confirmed_at;
ALTER TABLE outages DROP COLUMN state;
ALTER TABLE outages DROP COLUMN place;
ALTER TABLE outages DROP COLUMN level;
DROP INDEX meters_transformer;
DROP INDEX meters_feeder;
ALTER TABLE meters DROP COLUMN transformer;
ALTER TABLE meters DROP COLUMN feeder;
