package care

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// Kinds of timeline events.
const (
	EventOpened   = "opened"
	EventIn       = "in"  // a message from the customer
	EventOut      = "out" // a message to the customer
	EventNote     = "note"
	EventState    = "state"
	EventAssign   = "assign"
	EventTeam     = "team"
	EventPriority = "priority"
)

// Event is one line of a ticket's timeline.
type Event struct {
	ID        string
	TicketID  string
	At        time.Time
	Kind      string
	Actor     string // the staff member, "" for the customer or Mteja itself
	Body      string
	MessageID string // the outbox message of an out event
}

func addEvent(tx *store.Tx, ticketID, kind, actor, body, messageID string) error {
	_, err := tx.Exec(`INSERT INTO ticket_events (id, ticket_id, at, kind, actor, body, message_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		uuid.Must(uuid.NewV7()).String(), ticketID, store.Micros(tx.Now), kind, actor, store.Truncate(body, 2000), messageID)
	if err != nil {
		return fmt.Errorf("ticket %s: %s event: %w", ticketID, kind, err)
	}
	return nil
}

// Events returns a ticket's timeline, oldest first.
func Events(ctx context.Context, q Querier, ticketID string) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, ticket_id, at, kind, actor, body, message_id FROM ticket_events WHERE ticket_id = $1 ORDER BY at, id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("ticket events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.ID, &e.TicketID, &at, &e.Kind, &e.Actor, &e.Body, &e.MessageID); err != nil {
			return nil, err
		}
		e.At = store.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CustomerEvents returns what the customer may see of a ticket: what they
// said and what they were told, never staff's internal notes.
func CustomerEvents(ctx context.Context, q Querier, ticketID string) ([]Event, error) {
	all, err := Events(ctx, q, ticketID)
	var out []Event
	for _, e := range all {
		if e.Kind == EventOpened || e.Kind == EventIn || e.Kind == EventOut {
			out = append(out, e)
		}
	}
	return out, err
}
