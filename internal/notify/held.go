package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// KindDatabaseHeld: a transaction has been open on the database for longer
// than the watchdog's HeldAfter, keeping VACUUM from removing dead rows
// (store.DB.Holders). Every queue's claims and receipts slow while it
// lasts, so the longer it goes on the closer delivery comes to missing its
// objective: staff hear of it first.
const KindDatabaseHeld = "database_transaction_held"

// judgeHolders opens the database's incident while a transaction older
// than HeldAfter holds VACUUM back, naming the oldest, and closes it once
// none does.
func (w *Watchdog) judgeHolders(ctx context.Context) (opened, closed bool, err error) {
	if w.DB.Dialect != store.Postgres {
		return false, false, nil
	}
	held, err := w.DB.Holders(ctx, w.HeldAfter)
	if err != nil {
		return false, false, err
	}
	var detail string
	if len(held) > 0 {
		detail = heldDetail(held)
	}
	err = w.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if len(held) > 0 {
			opened, err = openIncident(tx, KindDatabaseHeld, detail)
		} else {
			closed, err = closeIncident(tx, KindDatabaseHeld, "no transaction open longer than "+w.HeldAfter.String())
		}
		return err
	})
	if opened {
		w.Log.Error("database incident opened", "kind", KindDatabaseHeld, "detail", detail)
		// The statements go to the node's log, for the engineers, not
		// into the incident every staff member reads: another client's
		// statement may carry anything (customers' numbers, a password
		// in an ALTER ROLE).
		for _, h := range held {
			w.Log.Error("transaction holding VACUUM back", "kind", h.Kind, "pid", h.PID, "name", h.Name,
				"age", h.Age.Round(time.Second).String(), "state", h.State, "statement", h.Query)
		}
	}
	if closed {
		w.Log.Info("database incident closed", "kind", KindDatabaseHeld)
	}
	return opened, closed, err
}

// heldDetail says what holds VACUUM back, the oldest first (up to three),
// and what to do about it, for the staff who read the incident. It names
// each by who and where, never by its statement.
func heldDetail(held []store.Holder) string {
	var whos []string
	for _, h := range held[:min(len(held), 3)] {
		whos = append(whos, heldWho(h))
	}
	more := ""
	if len(held) > 3 {
		more = fmt.Sprintf(" and %d more", len(held)-3)
	}
	return fmt.Sprintf("PostgreSQL: VACUUM cannot remove dead rows while a transaction stays open, so queues and indexes grow and payments and messages are claimed more slowly until it ends. Open: %s%s",
		strings.Join(whos, "; "), more)
}

func heldWho(h store.Holder) string {
	if h.Kind == "prepared" {
		return fmt.Sprintf("prepared transaction %q (owner %s), prepared %s ago and never committed: COMMIT PREPARED or ROLLBACK PREPARED it",
			h.Name, h.User, h.Age.Round(time.Second))
	}
	var from []string
	if h.Name != "" {
		from = append(from, "application "+h.Name)
	}
	if h.User != "" {
		from = append(from, "user "+h.User)
	}
	if h.Client != "" {
		from = append(from, "client "+h.Client)
	}
	from = append(from, h.State)
	return fmt.Sprintf("a transaction open for %s (%s): end it at its client or with SELECT pg_terminate_backend(%d)",
		h.Age.Round(time.Second), strings.Join(from, ", "), h.PID)
}
