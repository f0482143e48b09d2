-- +goose Up
-- Nothing reads tokens by meter: a meter's tokens are found through its
-- vends (vends_meter, then tokens by vend_id), a typed token by its digits.
-- The index cost a write at a random place in a B-tree for every token,
-- one of the seven such writes a vend made, which at a peak is what fills
-- the write-ahead log and the disk's queue.
DROP INDEX tokens_meter;

-- +goose Down
CREATE INDEX tokens_meter ON tokens (meter_drn, created_at);
