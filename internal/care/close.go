package care

import (
	"context"
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/store"
)

// ErrClosed is returned for closing a fault that is already closed.
var ErrClosed = errors.New("fault is already closed")

// CloseFault closes an open fault: it records when, for the time faults
// take to close (the management reports), and who, as an audit event. It
// returns an error wrapping store.ErrNotFound for an unknown id and
// ErrClosed for a closed fault, whose first closing stands.
func CloseFault(ctx context.Context, db *store.DB, id, by, note string) error {
	err := db.InTx(ctx, func(tx *store.Tx) error {
		now := store.Micros(tx.Now)
		res, err := tx.Exec(`UPDATE faults SET state = 'closed', closed_at = $2 WHERE id = $1 AND state = 'open'`, id, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var state string
			if err := tx.QueryRow(`SELECT state FROM faults WHERE id = $1`, id).Scan(&state); err != nil {
				return store.NotFound(err, "fault "+id)
			}
			return fmt.Errorf("fault %s is %s: %w", id, state, ErrClosed)
		}
		return audit(tx, by, "fault.close", id, note)
	})
	if err != nil {
		return fmt.Errorf("close fault: %w", err)
	}
	return nil
}
