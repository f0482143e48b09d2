package care

import (
	"context"
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/store"
)

// ErrClosed is returned for closing a fault that is already closed.
var ErrClosed = errors.New("fault is already closed")

// CloseFault closes an active ticket: it records when, for the time faults
// take to close (the management reports), and who, as an audit event. It
// returns an error wrapping store.ErrNotFound for an unknown id and
// ErrClosed for a resolved or closed one, whose first closing stands.
func CloseFault(ctx context.Context, db *store.DB, id, by, note string) error {
	d := &Desk{DB: db}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		t, err := GetTicket(ctx, tx, id)
		if err != nil {
			return err
		}
		if !Active(t.State) {
			return fmt.Errorf("fault %s is %s: %w", id, t.State, ErrClosed)
		}
		if err := d.setState(tx, &t, by, StateClosed, true); err != nil {
			return err
		}
		if note != "" {
			if err := addEvent(tx, t.ID, EventNote, by, note, ""); err != nil {
				return err
			}
		}
		return audit(tx, by, "fault.close", id, note)
	})
	if err != nil {
		return fmt.Errorf("close fault: %w", err)
	}
	return nil
}
