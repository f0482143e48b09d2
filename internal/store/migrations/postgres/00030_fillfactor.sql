-- +goose Up
-- Room in each page for the rows' next versions, so that an update that
-- changes no indexed column is a heap-only tuple (HOT): written beside the
-- old version, with no new entry in any of the table's indexes. A message
-- is updated three times after its insert (claimed, submitted, receipt)
-- and has eight indexes; its claim changes no indexed column. A meter is
-- updated by every vend (last TID, the month's energy, debt), none of them
-- indexed. Measured on 30,000 payments over three nodes: the claim's
-- statement time 2.5 s → 1.0 s and its log 27 → 13 MB; the meters' update
-- 1.7 → 1.5 s. (A payment's update changes its state, which partial
-- indexes name, so it can never be HOT: its pages stay full.)
ALTER TABLE messages SET (fillfactor = 70);
ALTER TABLE meters SET (fillfactor = 80);

-- +goose Down
ALTER TABLE messages RESET (fillfactor);
ALTER TABLE meters RESET (fillfactor);
