package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// silenceMemory is how far back an unanswered submit keeps a route
// silent. After it, the route takes traffic again and so shows whether
// its receipts are back (a silent route gets no traffic of its own while
// another route is up, so it could not show it any other way).
const silenceMemory = 30 * time.Minute

// CheckRoutes reads each route's receipts from the database (a receipt
// may arrive on any node) and marks silent the routes that have messages
// submitted more than ReceiptTimeout ago still without a receipt, and no
// receipt at all since them. A silent route gets traffic only when no
// other route can take it, and an incident is open for it until a
// receipt comes. Run calls it every CheckEvery.
func (w *Worker) CheckRoutes(ctx context.Context) error {
	w.init()
	w.checkMu.Lock()
	defer w.checkMu.Unlock()
	now := w.now()
	var errs []error
	for _, r := range w.routes {
		if r.NoReceipts {
			continue
		}
		silent, detail, err := routeSilent(ctx, w.DB, r.Name, now, w.ReceiptTimeout)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if r.setSilent(silent) {
			if silent {
				w.Log.Warn("SMS route silent: no delivery receipts; other routes take its traffic", "route", r.Name, "detail", detail)
			} else {
				w.Log.Info("SMS route receipts are back", "route", r.Name)
			}
		}
		if !silent {
			// Most checks find nothing to close: ask before writing.
			var open int
			err := w.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM system_incidents WHERE kind = $1 AND closed_at IS NULL`,
				KindRouteSilent+r.Name).Scan(&open)
			if err != nil {
				errs = append(errs, fmt.Errorf("route %s: open incidents: %w", r.Name, err))
				continue
			}
			if open == 0 {
				continue
			}
		}
		err = w.DB.InTx(ctx, func(tx *store.Tx) error {
			if silent {
				_, err := openIncident(tx, KindRouteSilent+r.Name, detail)
				return err
			}
			_, err := closeIncident(tx, KindRouteSilent+r.Name, "receipts are back")
			return err
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func routeSilent(ctx context.Context, db *store.DB, name string, now time.Time, timeout time.Duration) (bool, string, error) {
	var last int64
	err := db.Read().QueryRowContext(ctx, `SELECT last_receipt_at FROM message_routes WHERE name = $1`, name).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, "", fmt.Errorf("route %s: last receipt: %w", name, err)
	}
	from := max(last, store.Micros(now.Add(-timeout-silenceMemory)))
	to := store.Micros(now.Add(-timeout))
	var n int
	var oldest sql.NullInt64
	err = db.Read().QueryRowContext(ctx, `SELECT count(*), min(submitted_at) FROM messages
		WHERE state = 'submitted' AND route = $1 AND submitted_at > $2 AND submitted_at <= $3 AND provider_id <> ''`,
		name, from, to).Scan(&n, &oldest)
	if err != nil {
		return false, "", fmt.Errorf("route %s: awaiting receipts: %w", name, err)
	}
	if n == 0 {
		return false, "", nil
	}
	heard := "never"
	if last > 0 {
		heard = store.Time(last).Format(time.RFC3339)
	}
	return true, fmt.Sprintf("route %s: %d messages submitted since %s have had no receipt for over %v; last receipt: %s",
		name, n, store.NullTime(oldest).Format(time.RFC3339), timeout, heard), nil
}
