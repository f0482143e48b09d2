-- +goose Up
-- Care hubs: places where an attendant serves walk-in customers. An
-- attendant is a staff user of the hub role, attached to one hub.
CREATE TABLE hubs (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    area       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE hub_staff (
    user_id TEXT PRIMARY KEY,
    hub_id  TEXT NOT NULL REFERENCES hubs (id)
);

-- Queue tickets: a number per hub per day (A-017), with the times it was
-- issued, called and served. The unique key makes two nodes issuing at
-- once take different numbers (the loser retries).
CREATE TABLE hub_tickets (
    id        TEXT PRIMARY KEY,
    hub_id    TEXT NOT NULL REFERENCES hubs (id),
    day       TEXT NOT NULL,
    number    INTEGER NOT NULL,
    issued_at BIGINT NOT NULL,
    called_at BIGINT,
    called_by TEXT NOT NULL DEFAULT '',
    done_at   BIGINT,
    UNIQUE (hub_id, day, number)
);
CREATE INDEX hub_tickets_issued ON hub_tickets (issued_at);

-- A consent code is a login code for another purpose: it shares the
-- phone's limits, and it never opens a customer's own session, nor a
-- login code an assisted one.
ALTER TABLE login_codes ADD COLUMN purpose TEXT NOT NULL DEFAULT 'login';
-- An assisted session is a customer's session held by a hub attendant,
-- who is named on it with the hub.
ALTER TABLE login_sessions ADD COLUMN assisted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE login_sessions ADD COLUMN hub_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE login_sessions DROP COLUMN hub_id;
ALTER TABLE login_sessions DROP COLUMN assisted_by;
ALTER TABLE login_codes DROP COLUMN purpose;
DROP TABLE hub_tickets;
DROP TABLE hub_staff;
DROP TABLE hubs;
