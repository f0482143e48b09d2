-- +goose Up
-- Numbers that sent STOP: they get no bulk messages (outage broadcasts,
-- campaigns); tokens, codes and replies still reach them.
CREATE TABLE sms_optouts (
    msisdn      TEXT PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE sms_optouts;
