package payment

import (
	"context"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// AuditEvent is one recorded staff, agent or system action.
type AuditEvent struct {
	ID      string
	At      time.Time
	Actor   string
	Action  string
	Subject string
	Detail  string
}

// AuditFilter selects audit events; empty fields match all.
type AuditFilter struct {
	Actor, Action, Subject string
	Before                 time.Time // only events before this (paging)
	Limit                  int       // default 100, at most 500
}

// AuditEvents returns audit events, newest first.
func AuditEvents(ctx context.Context, q Querier, f AuditFilter) ([]AuditEvent, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	where, args := "1=1", []any{}
	for _, c := range []struct{ col, val string }{{"actor", f.Actor}, {"action", f.Action}, {"subject", f.Subject}} {
		if c.val != "" {
			args = append(args, c.val)
			where += fmt.Sprintf(" AND %s = $%d", c.col, len(args))
		}
	}
	if !f.Before.IsZero() {
		args = append(args, store.Micros(f.Before))
		where += fmt.Sprintf(" AND at < $%d", len(args))
	}
	args = append(args, f.Limit)
	rows, err := q.QueryContext(ctx, `SELECT id, at, actor, action, subject, detail FROM audit_events WHERE `+where+
		fmt.Sprintf(` ORDER BY at DESC, id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		var e AuditEvent
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &e.Detail); err != nil {
			return nil, err
		}
		e.At = store.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
