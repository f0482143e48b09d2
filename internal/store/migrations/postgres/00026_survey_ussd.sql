-- +goose Up
-- A survey question may also be put on the last USSD screen of a session.
-- ussd_offered_at marks the one time it was put there, so that a caller is
-- not asked again in every session; answer_channel is where the score came
-- from ('sms' or 'ussd'), so that results can be read by it.
ALTER TABLE surveys ADD COLUMN ussd_offered_at BIGINT;
ALTER TABLE surveys ADD COLUMN answer_channel TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE surveys DROP COLUMN answer_channel;
ALTER TABLE surveys DROP COLUMN ussd_offered_at;
