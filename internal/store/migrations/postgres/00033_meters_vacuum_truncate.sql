-- +goose Up
-- VACUUM gives back the empty pages at a table's end only under an
-- ACCESS EXCLUSIVE lock, which it tries for every 50 ms over five
-- seconds. Every vend batch locks and updates its meters' rows, so on
-- meters the lock was never free: with three nodes vending flat out,
-- each vacuum of meters (one every ten seconds or so, its thousand rows
-- updated thousands of times a second) spent its last five seconds
-- asking (in 27 of 65 looks, five seconds apart, over a million-payment
-- run), holding a connection while the other tables' vacuums waited
-- behind it; and had it won the lock, every vend batch would have
-- waited on it. The pages at the end of meters are refilled within
-- seconds anyway. (On a standby the lock also cancels queries.)
ALTER TABLE meters SET (vacuum_truncate = false);

-- +goose Down
ALTER TABLE meters RESET (vacuum_truncate);
