-- +goose Up
-- Each service's worker claims its own received payments (electricity's
-- vend worker, the ISP's applier, the agents' float top-ups). With the
-- index on received_at alone, a worker looking for its few payments read
-- every received payment of the others first: with 10,000 electricity
-- payments waiting, the ISP applier's "anything for me?" read all 10,000,
-- several times a second. The service leads the index now.
DROP INDEX payments_work;
CREATE INDEX payments_work ON payments (service, received_at) WHERE state = 'received';

-- +goose Down
DROP INDEX payments_work;
CREATE INDEX payments_work ON payments (received_at) WHERE state = 'received';
