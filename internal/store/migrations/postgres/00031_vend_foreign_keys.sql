-- +goose Up
-- A vend batch writes its vends and their tokens in the transaction that
-- claimed the payments and locked the meters, so the rows these keys
-- point at are there, and locked, by construction. The checks still cost:
-- one query a row, and for a token, a share lock on the vend the same
-- transaction had just inserted, which rewrites that vend's tuple header
-- and logs it. Measured with three nodes, 30,000 payments: the two INSERTs
-- took 6.3 s of the server's 21.0 s of statement time with the keys and
-- 1.1 s of 16.9 s without; end to end 2,048-2,589 -> 2,424-2,757
-- payments/s in alternate runs. vends.payment_id stays UNIQUE (a payment
-- vends once); bench and tests check every vend has its payment, meter
-- and tokens. SQLite keeps its keys: there a check is one index lookup,
-- and dropping one means rebuilding the table.
ALTER TABLE tokens DROP CONSTRAINT tokens_vend_id_fkey;
ALTER TABLE vends DROP CONSTRAINT vends_payment_id_fkey;
ALTER TABLE vends DROP CONSTRAINT vends_meter_drn_fkey;

-- +goose Down
ALTER TABLE vends ADD CONSTRAINT vends_meter_drn_fkey FOREIGN KEY (meter_drn) REFERENCES meters (drn);
ALTER TABLE vends ADD CONSTRAINT vends_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments (id);
ALTER TABLE tokens ADD CONSTRAINT tokens_vend_id_fkey FOREIGN KEY (vend_id) REFERENCES vends (id);
