-- +goose Up
-- PostgreSQL leaves more room in the pages of messages and payments for
-- their rows' next versions. SQLite updates a row in place: nothing to
-- do, but the versions stay in step.
SELECT 1;

-- +goose Down
SELECT 1;
