-- +goose Up
-- Delivery that never goes silent: route health, crash-safe sends, receipts
-- that overtake their submit, and incidents staff see.

-- sending_route is the route a send is (or was) in flight on. A claim that
-- expires with it set means a node stopped mid-send: the message may have
-- gone out there, so it is never sent on that route again.
ALTER TABLE messages ADD COLUMN sending_route TEXT NOT NULL DEFAULT '';
-- avoid_route is a route to use only when no other can take the message:
-- a delay notice goes by another route than the late message.
ALTER TABLE messages ADD COLUMN avoid_route TEXT NOT NULL DEFAULT '';
-- receipt_at is when a final delivery receipt arrived (delivered or not).
ALTER TABLE messages ADD COLUMN receipt_at BIGINT;

-- Messages awaiting their receipt, per route: route silence and depth.
CREATE INDEX messages_awaiting ON messages (route, submitted_at) WHERE state = 'submitted';
-- Token messages the watchdog may still have to act on.
CREATE INDEX messages_notice ON messages (queued_at) WHERE lane = 'token' AND notice_at IS NULL AND state <> 'delivered';
-- Delivery latency per lane over a window.
CREATE INDEX messages_lane_queued ON messages (lane, queued_at);

-- The last receipt heard on each route, whatever node heard it.
CREATE TABLE message_routes (
    name            TEXT PRIMARY KEY,
    last_receipt_at BIGINT NOT NULL DEFAULT 0
);

-- Receipts that arrived before their submit was recorded (a fast SMSC, or
-- another node's bind). The submit's record picks them up; the watchdog
-- sweeps what is left and forgets it after an hour.
CREATE TABLE receipts_unmatched (
    provider_id TEXT PRIMARY KEY,
    state       INTEGER NOT NULL,
    err_code    TEXT NOT NULL DEFAULT '',
    received_at BIGINT NOT NULL
);
CREATE INDEX receipts_unmatched_age ON receipts_unmatched (received_at);

-- System incidents staff see (delivery slower than its objective, ...).
-- At most one open incident per kind.
CREATE TABLE system_incidents (
    id        TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX system_incidents_open ON system_incidents (kind) WHERE closed_at IS NULL;
CREATE INDEX system_incidents_opened ON system_incidents (opened_at);

-- +goose Down
DROP TABLE system_incidents;
DROP TABLE receipts_unmatched;
DROP TABLE message_routes;
DROP INDEX messages_lane_queued;
DROP INDEX messages_notice;
DROP INDEX messages_awaiting;
ALTER TABLE messages DROP COLUMN receipt_at;
ALTER TABLE messages DROP COLUMN avoid_route;
ALTER TABLE messages DROP COLUMN sending_route;
