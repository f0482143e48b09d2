-- +goose Up
-- Faults become tickets: each report keeps its id, reference, phone,
-- meter, note, state and time; its kind becomes a category. A ticket has an
-- owner (team, assignee), a priority, and a timeline of every message in
-- and out, so that no report is lost and each one is answered.
ALTER TABLE faults RENAME TO tickets;
DROP INDEX faults_msisdn;
DROP INDEX faults_created;
ALTER TABLE tickets ADD COLUMN category TEXT NOT NULL DEFAULT 'other';
ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN account TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE tickets ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE tickets ADD COLUMN team TEXT NOT NULL DEFAULT 'care';
ALTER TABLE tickets ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN first_response_at BIGINT;
ALTER TABLE tickets ADD COLUMN resolved_at BIGINT;
UPDATE tickets SET
    category = CASE kind WHEN 'no_power' THEN 'outage' WHEN 'token_rejected' THEN 'token_rejected' WHEN 'meter' THEN 'meter_fault' ELSE 'other' END,
    channel = CASE WHEN EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'fault.report' AND a.subject = tickets.id) THEN 'console' ELSE 'unknown' END,
    created_by = COALESCE((SELECT min(a.actor) FROM audit_events a WHERE a.action = 'fault.report' AND a.subject = tickets.id), ''),
    resolved_at = closed_at,
    updated_at = COALESCE(closed_at, created_at);
ALTER TABLE tickets DROP COLUMN kind;
CREATE INDEX tickets_msisdn ON tickets (msisdn, created_at);
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX tickets_queue ON tickets (state, team, created_at);

-- The timeline: opened, in (from the customer), out (to the customer),
-- note (staff only), and each change of state, owner or priority.
CREATE TABLE ticket_events (
    id         TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    at         BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, at);
INSERT INTO ticket_events (id, ticket_id, at, kind, actor, body)
    SELECT id || '.opened', id, created_at, 'opened', created_by, note FROM tickets;
INSERT INTO ticket_events (id, ticket_id, at, kind, body)
    SELECT id || '.closed', id, closed_at, 'state', 'closed' FROM tickets WHERE closed_at IS NOT NULL;

-- Faults as they were, for the readers (reports, scripts) that knew them.
CREATE VIEW faults AS
    SELECT id, ref, msisdn, meter_drn,
        CASE category WHEN 'outage' THEN 'no_power' WHEN 'meter_fault' THEN 'meter' ELSE category END AS kind,
        note,
        CASE WHEN state IN ('resolved', 'closed') THEN 'closed' ELSE 'open' END AS state,
        created_at, closed_at
    FROM tickets;

-- Saved replies in both languages, kept by admins.
CREATE TABLE ticket_macros (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    body_en    TEXT NOT NULL,
    body_sw    TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

-- +goose Down
DROP TABLE ticket_macros;
DROP VIEW faults;
DROP TABLE ticket_events;
DROP INDEX tickets_queue;
DROP INDEX tickets_created;
DROP INDEX tickets_msisdn;
ALTER TABLE tickets ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';
UPDATE tickets SET kind = CASE category WHEN 'outage' THEN 'no_power' WHEN 'token_rejected' THEN 'token_rejected' WHEN 'meter_fault' THEN 'meter' ELSE 'other' END,
    state = CASE WHEN state IN ('resolved', 'closed') THEN 'closed' ELSE 'open' END;
ALTER TABLE tickets DROP COLUMN resolved_at;
ALTER TABLE tickets DROP COLUMN first_response_at;
ALTER TABLE tickets DROP COLUMN updated_at;
ALTER TABLE tickets DROP COLUMN created_by;
ALTER TABLE tickets DROP COLUMN assignee;
ALTER TABLE tickets DROP COLUMN team;
ALTER TABLE tickets DROP COLUMN priority;
ALTER TABLE tickets DROP COLUMN language;
ALTER TABLE tickets DROP COLUMN account;
ALTER TABLE tickets DROP COLUMN channel;
ALTER TABLE tickets DROP COLUMN category;
ALTER TABLE tickets RENAME TO faults;
CREATE INDEX faults_msisdn ON faults (msisdn, created_at);
CREATE INDEX faults_created ON faults (created_at);
