package care

import (
	"context"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/store"
)

// work runs fn on a ticket read in the transaction that changes it.
func (d *Desk) work(ctx context.Context, id, what string, fn func(tx *store.Tx, t *Ticket) error) error {
	err := d.DB.InTx(ctx, func(tx *store.Tx) error {
		t, err := GetTicket(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(tx, &t)
	})
	if err != nil {
		return fmt.Errorf("ticket %s: %s: %w", id, what, err)
	}
	d.wake()
	return nil
}

// Reply texts the customer body from staff member by, in the ticket's
// thread: the SMS quotes the reference so that the customer knows what it
// is about.
func (d *Desk) Reply(ctx context.Context, id, by, body string) error {
	body = strings.TrimSpace(body)
	if body == "" || by == "" {
		return fmt.Errorf("reply to ticket %s: want a message and who sends it", id)
	}
	return d.work(ctx, id, "reply", func(tx *store.Tx, t *Ticket) error {
		return d.send(tx, *t, by, t.Ref+": "+store.Truncate(body, 600), true)
	})
}

// Note adds an internal note, which the customer never sees.
func (d *Desk) Note(ctx context.Context, id, by, body string) error {
	body = strings.TrimSpace(body)
	if body == "" || by == "" {
		return fmt.Errorf("note on ticket %s: want a note and who writes it", id)
	}
	return d.work(ctx, id, "note", func(tx *store.Tx, t *Ticket) error {
		if err := addEvent(tx, t.ID, EventNote, by, body, ""); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE tickets SET updated_at = $2 WHERE id = $1`, t.ID, store.Micros(tx.Now))
		return err
	})
}

// SetState moves a ticket to state; the customer is told by SMS when it is
// resolved, closed or reopened.
func (d *Desk) SetState(ctx context.Context, id, by, state string) error {
	return d.work(ctx, id, "set state", func(tx *store.Tx, t *Ticket) error {
		return d.setState(tx, t, by, state, true)
	})
}

func (d *Desk) setState(tx *store.Tx, t *Ticket, by, state string, tell bool) error {
	valid := false
	for _, s := range States {
		valid = valid || s == state
	}
	switch {
	case !valid:
		return fmt.Errorf("state %q: want one of %s", state, strings.Join(States, ", "))
	case t.State == state:
		return nil
	case t.State == StateClosed:
		return fmt.Errorf("a closed ticket stays closed; open a new one: %w", ErrState)
	case state == StateNew:
		return fmt.Errorf("a ticket cannot become new again: %w", ErrState)
	}
	now := store.Micros(tx.Now)
	_, err := tx.Exec(`UPDATE tickets SET state = $2, updated_at = $3,
		resolved_at = CASE WHEN $2 = 'resolved' THEN $3 WHEN $2 = 'closed' THEN COALESCE(resolved_at, $3) ELSE NULL END,
		closed_at = CASE WHEN $2 = 'closed' THEN $3 ELSE NULL END WHERE id = $1`, t.ID, state, now)
	if err != nil {
		return err
	}
	was := t.State
	t.State = state
	if err := addEvent(tx, t.ID, EventState, by, state, ""); err != nil {
		return err
	}
	if by != selfActor {
		if err := audit(tx, by, "ticket.state", t.ID, t.Ref+" "+was+" → "+state); err != nil {
			return err
		}
	}
	key := ""
	switch {
	case state == StateResolved:
		key = "resolved"
	case state == StateClosed && was != StateResolved:
		key = "closed"
	case Active(state) && !Active(was):
		key = "reopened"
	}
	if key == "" || t.MSISDN == "" {
		return nil
	}
	if err := d.send(tx, *t, selfActor, d.text(t.Language, key, t.Ref), false); err != nil || key != "resolved" {
		return err
	}
	return d.askCSAT(tx, *t)
}

// Change is what Update changes; nil fields stay as they are.
type Change struct {
	Team, Assignee, Priority, Category *string
}

// Update changes a ticket's owner, team, priority or category, each change
// on the timeline and in the audit log.
func (d *Desk) Update(ctx context.Context, id, by string, c Change) error {
	return d.work(ctx, id, "update", func(tx *store.Tx, t *Ticket) error {
		type field struct {
			col, kind string
			old       string
			new       *string
			ok        func(string) bool
		}
		fields := []field{
			{"team", EventTeam, t.Team, c.Team, func(s string) bool { return s != "" && len(s) <= 40 }},
			{"assignee", EventAssign, t.Assignee, c.Assignee, func(s string) bool { return len(s) <= 80 }},
			{"priority", EventPriority, t.Priority, c.Priority, ValidPriority},
			{"category", "category", t.Category, c.Category, func(s string) bool { _, ok := d.category(s); return ok }},
		}
		for _, f := range fields {
			if f.new == nil || *f.new == f.old {
				continue
			}
			if !f.ok(*f.new) {
				return fmt.Errorf("%s %q is not one of the allowed values", f.col, *f.new)
			}
			if _, err := tx.Exec(`UPDATE tickets SET `+f.col+` = $2, updated_at = $3 WHERE id = $1`, t.ID, *f.new, store.Micros(tx.Now)); err != nil {
				return err
			}
			if err := addEvent(tx, t.ID, f.kind, by, *f.new, ""); err != nil {
				return err
			}
			if err := audit(tx, by, "ticket."+f.col, t.ID, fmt.Sprintf("%s %s: %q → %q", t.Ref, f.col, f.old, *f.new)); err != nil {
				return err
			}
		}
		return nil
	})
}

// CustomerMessage adds an SMS from msisdn to their newest active ticket,
// reopening one that waited on them. ok is false when they have none, and
// the message is then for the keywords to answer.
func (d *Desk) CustomerMessage(ctx context.Context, msisdn, text string) (t Ticket, ok bool, err error) {
	err = d.DB.InTx(ctx, func(tx *store.Tx) error {
		ts, err := tickets(ctx, tx, `WHERE msisdn = $1 AND state IN ('new', 'open', 'pending_customer') ORDER BY updated_at DESC, id DESC LIMIT 1`, msisdn)
		if err != nil || len(ts) == 0 {
			return err
		}
		t, ok = ts[0], true
		if err := addEvent(tx, t.ID, EventIn, "", strings.TrimSpace(text), ""); err != nil {
			return err
		}
		state := t.State
		if state == StatePendingCustomer {
			state = StateOpen
			if err := addEvent(tx, t.ID, EventState, "", state, ""); err != nil {
				return err
			}
		}
		t.State = state
		_, err = tx.Exec(`UPDATE tickets SET state = $2, updated_at = $3 WHERE id = $1`, t.ID, state, store.Micros(tx.Now))
		return err
	})
	if err != nil {
		return Ticket{}, false, fmt.Errorf("customer message: %w", err)
	}
	return t, ok, nil
}

// AreaTickets returns the active tickets about meters in an area (those of
// one outage), oldest first, for one reply to them all.
func AreaTickets(ctx context.Context, q Querier, area string, limit int) ([]Ticket, error) {
	return tickets(ctx, q, `WHERE state IN ('new', 'open', 'pending_customer') AND meter_drn IN (SELECT drn FROM meters WHERE area = $1) ORDER BY created_at LIMIT $2`, area, limit)
}

// BulkReply sends one reply, in each customer's language, to every active
// ticket of an area with a phone; it returns how many were sent.
func (d *Desk) BulkReply(ctx context.Context, area, by, en, sw string) (int, error) {
	en, sw = strings.TrimSpace(en), strings.TrimSpace(sw)
	if area == "" || en == "" || sw == "" || by == "" {
		return 0, fmt.Errorf("bulk reply: want an area, the reply in English and Swahili, and who sends it")
	}
	n := 0
	err := d.DB.InTx(ctx, func(tx *store.Tx) error {
		ts, err := AreaTickets(ctx, tx, area, 5000)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if t.MSISDN == "" {
				continue
			}
			body := en
			if t.Language == "sw" {
				body = sw
			}
			if err := d.send(tx, t, by, t.Ref+": "+store.Truncate(body, 600), true); err != nil {
				return err
			}
			n++
		}
		return audit(tx, by, "ticket.bulk_reply", area, fmt.Sprintf("%d tickets: %s", n, store.Truncate(en, 200)))
	})
	if err != nil {
		return 0, fmt.Errorf("bulk reply to %s: %w", area, err)
	}
	d.wake()
	return n, nil
}
