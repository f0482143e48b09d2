-- +goose Up
-- Callbacks that could not be read (a body M-Pesa or a gateway sent that
-- does not parse). Money may stand behind one, so the body is kept for staff
-- instead of being dropped with the 400 answer.
CREATE TABLE dead_letters (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    body        TEXT NOT NULL,
    error       TEXT NOT NULL,
    remote      TEXT NOT NULL DEFAULT '',
    received_at BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX dead_letters_open ON dead_letters (received_at) WHERE resolved_at IS NULL;

-- +goose Down
DROP TABLE dead_letters;
