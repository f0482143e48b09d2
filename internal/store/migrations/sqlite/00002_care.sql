-- +goose Up
-- Outages the utility knows of, per area, shown to customers before they
-- ask (USSD, SMS, web) and broadcast in the bulk lane.
CREATE TABLE outages (
    id          TEXT PRIMARY KEY,
    area        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL,
    message_sw  TEXT NOT NULL DEFAULT '',
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT,
    restored_at BIGINT,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outages_area ON outages (area, starts_at);

CREATE INDEX faults_msisdn ON faults (msisdn, created_at);

-- +goose Down
DROP INDEX faults_msisdn;
DROP TABLE outages;
