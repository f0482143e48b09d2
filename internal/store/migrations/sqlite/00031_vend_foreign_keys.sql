-- +goose Up
-- PostgreSQL drops the foreign keys of vends and tokens (see its
-- migration); SQLite keeps them, a check being one index lookup there.
-- The versions stay in step.
SELECT 1;

-- +goose Down
SELECT 1;
