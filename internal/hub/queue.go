package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// Ticket is one walk-in customer's place in a hub's queue.
type Ticket struct {
	ID       string
	HubID    string
	Day      string // the operator's calendar day it was issued on
	Number   int
	IssuedAt time.Time
	CalledAt time.Time // zero while waiting
	CalledBy string
	DoneAt   time.Time // zero until served
}

// Label is what the customer's slip and the hub's screen show: "A-017".
func (t Ticket) Label() string { return fmt.Sprintf("A-%03d", t.Number) }

// Waited is the time from issue to call; zero while waiting.
func (t Ticket) Waited() time.Duration {
	if t.CalledAt.IsZero() {
		return 0
	}
	return t.CalledAt.Sub(t.IssuedAt)
}

// Served is the time from call to done; zero until done.
func (t Ticket) Served() time.Duration {
	if t.DoneAt.IsZero() || t.CalledAt.IsZero() {
		return 0
	}
	return t.DoneAt.Sub(t.CalledAt)
}

// ErrQueueEmpty is returned by CallNext when nobody waits.
var ErrQueueEmpty = errors.New("nobody is waiting")

// day is the operator's calendar day of t: numbers start again at A-001
// each morning.
func day(t time.Time) string { return t.In(tariff.Zone).Format("2006-01-02") }

const ticketColumns = `id, hub_id, day, number, issued_at, called_at, called_by, done_at`

func scanTicket(row interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var issued int64
	var called, done sql.NullInt64
	err := row.Scan(&t.ID, &t.HubID, &t.Day, &t.Number, &issued, &called, &t.CalledBy, &done)
	t.IssuedAt, t.CalledAt, t.DoneAt = store.Time(issued), store.NullTime(called), store.NullTime(done)
	return t, err
}

// Issue gives a walk-in customer the hub's next number of the day. Two
// nodes issuing at once cannot take one number (the table's unique key):
// the one that loses takes the next.
func Issue(ctx context.Context, db *store.DB, hubID string) (Ticket, error) {
	var t Ticket
	err := db.InTx(ctx, func(tx *store.Tx) error {
		t = Ticket{ID: uuid.Must(uuid.NewV7()).String(), HubID: hubID, Day: day(tx.Now), IssuedAt: tx.Now}
		for range 5 {
			if err := tx.QueryRow(`SELECT COALESCE(MAX(number), 0) + 1 FROM hub_tickets WHERE hub_id = $1 AND day = $2`, hubID, t.Day).Scan(&t.Number); err != nil {
				return fmt.Errorf("next number: %w", err)
			}
			res, err := tx.Exec(`INSERT INTO hub_tickets (id, hub_id, day, number, issued_at, called_by) VALUES ($1, $2, $3, $4, $5, '')
				ON CONFLICT (hub_id, day, number) DO NOTHING`, t.ID, hubID, t.Day, t.Number, store.Micros(t.IssuedAt))
			if err != nil {
				return fmt.Errorf("store queue ticket: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				return nil
			}
		}
		return fmt.Errorf("queue ticket: every number taken while trying")
	})
	if err != nil {
		return Ticket{}, fmt.Errorf("issue at hub %s: %w", hubID, err)
	}
	return t, nil
}

// CallNext calls the longest-waiting customer of the day to the attendant
// by, and returns their ticket, or ErrQueueEmpty.
func CallNext(ctx context.Context, db *store.DB, hubID, by string) (Ticket, error) {
	var t Ticket
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for range 5 {
			var err error
			t, err = scanTicket(tx.QueryRow(`SELECT `+ticketColumns+` FROM hub_tickets WHERE hub_id = $1 AND day = $2 AND called_at IS NULL ORDER BY number LIMIT 1`, hubID, day(tx.Now)))
			if errors.Is(err, sql.ErrNoRows) {
				return ErrQueueEmpty
			}
			if err != nil {
				return fmt.Errorf("next in queue: %w", err)
			}
			// Another attendant may call the same customer at once: the
			// one whose update finds them still waiting has them.
			res, err := tx.Exec(`UPDATE hub_tickets SET called_at = $2, called_by = $3 WHERE id = $1 AND called_at IS NULL`, t.ID, store.Micros(tx.Now), by)
			if err != nil {
				return fmt.Errorf("call ticket: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				t.CalledAt, t.CalledBy = tx.Now, by
				return nil
			}
		}
		return ErrQueueEmpty
	})
	return t, err
}

// Done marks a called ticket of the hub served. A ticket of another hub is
// not found, and one already done stays as it was.
func Done(ctx context.Context, db *store.DB, hubID, id string) (Ticket, error) {
	var t Ticket
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`UPDATE hub_tickets SET done_at = $3 WHERE id = $1 AND hub_id = $2 AND called_at IS NOT NULL AND done_at IS NULL`, id, hubID, store.Micros(tx.Now)); err != nil {
			return fmt.Errorf("ticket done: %w", err)
		}
		var err error
		t, err = scanTicket(tx.QueryRow(`SELECT `+ticketColumns+` FROM hub_tickets WHERE id = $1 AND hub_id = $2`, id, hubID))
		return store.NotFound(err, "queue ticket "+id)
	})
	return t, err
}

// Today returns the hub's tickets of the day that are not yet done:
// those being served first, then those waiting in order.
func Today(ctx context.Context, db *store.DB, hubID string) ([]Ticket, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT `+ticketColumns+` FROM hub_tickets WHERE hub_id = $1 AND day = $2 AND done_at IS NULL
		ORDER BY CASE WHEN called_at IS NULL THEN 1 ELSE 0 END, number`, hubID, day(db.Now()))
	if err != nil {
		return nil, fmt.Errorf("hub queue: %w", err)
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
