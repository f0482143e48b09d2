-- +goose Up
-- Invoices of the ISP's monthly plans and their credit notes (package isp):
-- one invoice per subscription and period, issued before the period; a
-- credit note is the only correction. Numbers run without gaps in each
-- series (INV-2026, CN-2026): each is taken from the series' counter row in
-- the transaction that stores the document, so a rollback returns it.
-- Money is BIGINT minor units; times BIGINT microseconds UTC.
CREATE TABLE isp_invoice_counters (
    series TEXT PRIMARY KEY,
    last   BIGINT NOT NULL
);

-- kind is 'invoice' or 'credit_note'; a credit note names the invoice it
-- corrects (credits) and carries its reason. status: an invoice is
-- 'issued', 'paid' or 'credited' (wholly); a credit note is 'issued'.
-- credited is what credit notes have taken off an invoice so far. The
-- etims_* columns are filled once the control unit signed the document
-- (signed_at set); until then it awaits signature and is retried.
CREATE TABLE isp_invoices (
    id                TEXT PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,
    credits           TEXT NOT NULL DEFAULT '',
    reason            TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    subscription_id   TEXT NOT NULL,
    subscriber_id     TEXT NOT NULL,
    plan_id           TEXT NOT NULL,
    plan_name         TEXT NOT NULL,
    buyer_name        TEXT NOT NULL,
    buyer_phone       TEXT NOT NULL,
    buyer_account     TEXT NOT NULL,
    seller_name       TEXT NOT NULL,
    seller_pin        TEXT NOT NULL,
    period_start      BIGINT NOT NULL,
    period_end        BIGINT NOT NULL,
    due_at            BIGINT NOT NULL,
    issued_at         BIGINT NOT NULL,
    price             BIGINT NOT NULL,
    net               BIGINT NOT NULL,
    excise            BIGINT NOT NULL,
    vat               BIGINT NOT NULL,
    vat_bp            INTEGER NOT NULL,
    excise_bp         INTEGER NOT NULL,
    credited          BIGINT NOT NULL DEFAULT 0,
    purchase_id       TEXT NOT NULL DEFAULT '',
    paid_at           BIGINT NOT NULL DEFAULT 0,
    refunded          INTEGER NOT NULL DEFAULT 0,
    created_by        TEXT NOT NULL,
    etims_cu_serial   TEXT NOT NULL DEFAULT '',
    etims_cu_number   TEXT NOT NULL DEFAULT '',
    etims_signature   TEXT NOT NULL DEFAULT '',
    etims_internal    TEXT NOT NULL DEFAULT '',
    etims_receipt     TEXT NOT NULL DEFAULT '',
    etims_qr          TEXT NOT NULL DEFAULT '',
    signed_at         BIGINT NOT NULL DEFAULT 0,
    sign_attempts     INTEGER NOT NULL DEFAULT 0,
    sign_next_at      BIGINT NOT NULL DEFAULT 0,
    sign_error        TEXT NOT NULL DEFAULT ''
);
-- One invoice per period, whichever node or retry issues it.
CREATE UNIQUE INDEX isp_invoices_period ON isp_invoices (subscription_id, period_start) WHERE kind = 'invoice';
CREATE INDEX isp_invoices_subscriber ON isp_invoices (subscriber_id, issued_at);
CREATE INDEX isp_invoices_issued ON isp_invoices (issued_at);
CREATE INDEX isp_invoices_unsigned ON isp_invoices (sign_next_at) WHERE signed_at = 0;
CREATE INDEX isp_invoices_credits ON isp_invoices (credits) WHERE kind = 'credit_note';
-- Unpaid invoices by due date: what dunning reads every sweep.
CREATE INDEX isp_invoices_unpaid ON isp_invoices (due_at, id) WHERE kind = 'invoice' AND status = 'issued';

-- An invoice or credit note, once stored, is never edited nor deleted: its
-- number, parties, period and lines are fixed (a credit note corrects it).
-- Only its status, what was credited and paid, and eTIMS's signature
-- change.
-- +goose StatementBegin
CREATE TRIGGER isp_invoices_fixed BEFORE UPDATE OF number, kind, credits, reason, subscription_id, subscriber_id, plan_id, plan_name, buyer_name, buyer_phone, buyer_account, seller_name, seller_pin, period_start, period_end, due_at, issued_at, price, net, excise, vat, vat_bp, excise_bp, created_by ON isp_invoices
BEGIN
    SELECT RAISE(ABORT, 'an invoice is never edited: issue a credit note');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER isp_invoices_kept BEFORE DELETE ON isp_invoices
BEGIN
    SELECT RAISE(ABORT, 'an invoice is never deleted: issue a credit note');
END;
-- +goose StatementEnd

-- Dunning per plan: reminder days relative to an invoice's due date
-- (comma-separated, "-3,-1,1,3"), the hour in EAT they are sent at, and
-- whether a period unpaid past its grace suspends (else service goes on
-- in grace, reminded, until staff act).
CREATE TABLE isp_dunning (
    plan_id    TEXT PRIMARY KEY REFERENCES isp_plans(id),
    offsets    TEXT NOT NULL,
    send_hour  INTEGER NOT NULL,
    suspend    INTEGER NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Each reminder sent: once per invoice and step, whichever node sends it.
CREATE TABLE isp_dunning_sent (
    invoice_id TEXT NOT NULL,
    step       INTEGER NOT NULL,
    sent_at    BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, step)
);

-- +goose Down
DROP TRIGGER isp_invoices_kept;
DROP TRIGGER isp_invoices_fixed;
DROP TABLE isp_dunning_sent;
DROP TABLE isp_dunning;
DROP TABLE isp_invoices;
DROP TABLE isp_invoice_counters;
