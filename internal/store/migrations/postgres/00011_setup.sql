-- +goose Up
-- A meter swapped out for another keeps its record (vends, tokens,
-- payments) and names the meter that took its place.
ALTER TABLE meters ADD COLUMN replaced_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE meters DROP COLUMN replaced_by;
