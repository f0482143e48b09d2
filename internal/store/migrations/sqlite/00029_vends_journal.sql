-- +goose Up
-- A vend batch books one ledger transaction, its vends' lines summed by
-- account (ledger.Journal), instead of one a vend: a vend wrote nine
-- postings, each a row and three index entries: a third of PostgreSQL's
-- write-ahead log at a peak (164 of about 480 MB for 30,000 payments).
-- Each vend names the journal that booked it; its own lines are its
-- quote. Vends booked before this have none: their transaction is
-- 'vend:' || id.
ALTER TABLE vends ADD COLUMN journal_id TEXT;

-- +goose Down
ALTER TABLE vends DROP COLUMN journal_id;
