package agent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// Shift is a user's time at the till.
type Shift struct {
	ID       string
	OutletID string
	UserID   string
	Opened   time.Time
	Closed   time.Time // zero while open
	Sales    int
	Expected money.Amount // the cash the shift's sales brought in
	Counted  money.Amount
	// Difference is Counted less Expected: negative when cash is short.
	Difference money.Amount
	// Ledger is what the ledger took from the float for the shift's
	// sales, read at the close: it equals Expected when the books agree.
	Ledger money.Amount
}

// Reconciled reports whether the shift's sales, its cash and the ledger
// all agree.
func (s Shift) Reconciled() bool { return s.Difference == 0 && s.Ledger == s.Expected }

// openShift returns the user's open shift, opening one if none is, and
// locks it until tx ends, so that a close waits for the sale and a sale for
// the close: a sale is counted in exactly the shift it names.
func openShift(tx *store.Tx, u User) (string, error) {
	// Two sales at once may both find no open shift: the unique index on
	// open shifts lets one insert win and the other do nothing. A shift
	// closed while this waited for its lock no longer matches, and the
	// next round opens the next one.
	for range 3 {
		if _, err := tx.Exec(`INSERT INTO agent_shifts (id, outlet_id, user_id, opened_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			newID(), u.OutletID, u.ID, store.Micros(tx.Now)); err != nil {
			return "", fmt.Errorf("open shift: %w", err)
		}
		var id string
		err := tx.QueryRow(`SELECT id FROM agent_shifts WHERE user_id = $1 AND closed_at IS NULL `+tx.ForUpdate(), u.ID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("open shift: %w", err)
		}
		return id, nil
	}
	return "", fmt.Errorf("open shift: user %s: no open shift after three tries", u.ID)
}

// OpenShift opens the user's shift, or returns the one open.
func (s *Service) OpenShift(ctx context.Context, userID string) (string, error) {
	var id string
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		u, err := userByID(tx, userID)
		if err != nil {
			return err
		}
		if id, err = openShift(tx, u); err != nil {
			return err
		}
		return audit(tx, u, "agent.shift_open", "shift:"+id, "")
	})
	return id, err
}

// CloseShift closes the user's open shift with the cash counted, and
// returns its report: the cash the sales should have brought, what the
// ledger took from the float for them, and the difference, which is
// recorded with the shift and audited. A sale that commits after the close
// opens the next shift.
func (s *Service) CloseShift(ctx context.Context, userID string, counted money.Amount) (Shift, error) {
	if counted < 0 {
		return Shift{}, invalid("counted cash may not be negative")
	}
	var sh Shift
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		u, err := userByID(tx, userID)
		if err != nil {
			return err
		}
		var id string
		err = tx.QueryRow(`SELECT id FROM agent_shifts WHERE user_id = $1 AND closed_at IS NULL `+tx.ForUpdate(), u.ID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoShift
		}
		if err != nil {
			return fmt.Errorf("close shift: %w", err)
		}
		var sum int64
		if err := tx.QueryRow(`SELECT COALESCE(SUM(p.amount), 0) FROM ledger_postings p JOIN agent_sales s ON s.payment_id = p.ref
			WHERE s.shift_id = $1 AND p.account = $2`, id, ledger.AgentFloat(u.OutletID)).Scan(&sum); err != nil {
			return fmt.Errorf("close shift: ledger: %w", err)
		}
		var expected int64
		if err := tx.QueryRow(`SELECT expected FROM agent_shifts WHERE id = $1`, id).Scan(&expected); err != nil {
			return fmt.Errorf("close shift: %w", err)
		}
		diff := int64(counted) - expected
		if _, err := tx.Exec(`UPDATE agent_shifts SET closed_at = $2, counted = $3, difference = $4 WHERE id = $1`,
			id, store.Micros(tx.Now), int64(counted), diff); err != nil {
			return fmt.Errorf("close shift: %w", err)
		}
		if sh, err = shiftByID(tx, id); err != nil {
			return err
		}
		// Sales debit the float account: what it took is the postings'
		// sum turned positive.
		sh.Ledger = money.Amount(sum)
		return audit(tx, u, "agent.shift_close", "shift:"+id, fmt.Sprintf("%d sales, expected %s, counted %s, difference %s, ledger %s",
			sh.Sales, sh.Expected, sh.Counted, sh.Difference, sh.Ledger))
	})
	return sh, err
}

const shiftColumns = `id, outlet_id, user_id, opened_at, closed_at, sales, expected, counted, difference`

func scanShift(sc interface{ Scan(...any) error }) (Shift, error) {
	var s Shift
	var opened int64
	var closed sql.NullInt64
	var expected, counted, diff int64
	err := sc.Scan(&s.ID, &s.OutletID, &s.UserID, &opened, &closed, &s.Sales, &expected, &counted, &diff)
	s.Opened, s.Closed = store.Time(opened), store.NullTime(closed)
	s.Expected, s.Counted, s.Difference = amountOf(expected), amountOf(counted), amountOf(diff)
	return s, err
}

func shiftByID(tx *store.Tx, id string) (Shift, error) {
	s, err := scanShift(tx.QueryRow(`SELECT `+shiftColumns+` FROM agent_shifts WHERE id = $1`, id))
	return s, store.NotFound(err, "shift "+id)
}

// Shifts lists an outlet's shifts, newest first.
func Shifts(ctx context.Context, q Querier, outletID string, limit int) ([]Shift, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+shiftColumns+` FROM agent_shifts WHERE outlet_id = $1 ORDER BY opened_at DESC LIMIT $2`, outletID, limit)
	if err != nil {
		return nil, fmt.Errorf("shifts: %w", err)
	}
	defer rows.Close()
	var out []Shift
	for rows.Next() {
		s, err := scanShift(rows)
		if err != nil {
			return nil, fmt.Errorf("shifts: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
