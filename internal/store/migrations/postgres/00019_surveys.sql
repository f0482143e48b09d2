-- +goose Up
-- Feedback asked of customers by SMS: CSAT (1-5) after a ticket is
-- resolved, NPS (0-10) now and then. A survey keeps what it was about
-- (ticket channel, category, team; the customer's area) so that results
-- can be read by each of them.
CREATE TABLE surveys (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    msisdn          TEXT NOT NULL,
    language        TEXT NOT NULL DEFAULT 'en',
    ticket_id       TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL DEFAULT '',
    category        TEXT NOT NULL DEFAULT '',
    team            TEXT NOT NULL DEFAULT '',
    area            TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'asked',
    asked_at        BIGINT NOT NULL,
    answered_at     BIGINT,
    score           INTEGER,
    comment         TEXT NOT NULL DEFAULT '',
    followup_ticket TEXT NOT NULL DEFAULT ''
);
CREATE INDEX surveys_msisdn ON surveys (msisdn, asked_at);
CREATE INDEX surveys_asked ON surveys (asked_at);

-- The last time each phone was asked: one row a phone, updated only when
-- the last ask is old enough, so that two nodes cannot both ask.
CREATE TABLE survey_asks (
    msisdn   TEXT PRIMARY KEY,
    asked_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE survey_asks;
DROP INDEX surveys_asked;
DROP INDEX surveys_msisdn;
DROP TABLE surveys;
