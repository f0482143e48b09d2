-- +goose Up
-- More room for a row's next versions in the pages of messages and
-- payments. At 70%, a message's claim (which changes no indexed column)
-- was heap-only only half the time, and nearly every submit and receipt
-- found its page full: the new version went to another page, which
-- PostgreSQL logs as an extra lock record and a second page dirtied. At
-- 50% the claim is always heap-only and a message's index entries fall
-- from 22 to 19. A payment's update (vended) changes its state, which
-- partial indexes name, so it is never heap-only; at 85% it can at least
-- stay on its page. Measured with three nodes, 1,000,000 stored, 100,000
-- payments, old and new in alternate runs: the write-ahead log a payment
-- 62.7 -> 58.3 records and 8.7 -> 8.1 KB, the machine's processor time a
-- payment 559-567 -> 533-562 µs, end to end 3,345-3,440 -> 3,406-3,604/s.
-- The tables take more room: messages about 1.4 times as much. Pages
-- already written keep their rows; new pages follow the new setting.
ALTER TABLE messages SET (fillfactor = 50);
ALTER TABLE payments SET (fillfactor = 85);

-- +goose Down
ALTER TABLE messages SET (fillfactor = 70);
ALTER TABLE payments RESET (fillfactor);
