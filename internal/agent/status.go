package agent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// Status is where a user's outlet and open shift stand.
type Status struct {
	User       User
	Outlet     Outlet
	ShiftSales int
	ShiftCash  money.Amount
}

// StatusOf returns the outlet and open shift of an active user.
func StatusOf(ctx context.Context, q Querier, userID string) (Status, error) {
	var st Status
	err := q.QueryRowContext(ctx, `SELECT u.id, u.outlet_id, u.name, u.msisdn FROM agent_users u JOIN agent_outlets o ON o.id = u.outlet_id
		WHERE u.id = $1 AND u.status = 'active' AND o.status = 'active'`, userID).Scan(&st.User.ID, &st.User.OutletID, &st.User.Name, &st.User.MSISDN)
	if errors.Is(err, sql.ErrNoRows) {
		return Status{}, ErrNotAgent
	}
	if err != nil {
		return Status{}, fmt.Errorf("agent status: %w", err)
	}
	if st.Outlet, err = GetOutlet(ctx, q, st.User.OutletID); err != nil {
		return Status{}, err
	}
	var cash int64
	err = q.QueryRowContext(ctx, `SELECT sales, expected FROM agent_shifts WHERE user_id = $1 AND closed_at IS NULL`, userID).Scan(&st.ShiftSales, &cash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Status{}, fmt.Errorf("agent status: shift: %w", err)
	}
	st.ShiftCash = money.Amount(cash)
	return st, nil
}

// Audit records an agent user's action done through another domain (a
// re-send, a ticket) in the audit log.
func (s *Service) Audit(ctx context.Context, userID, action, subject, detail string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		u, err := userByID(tx, userID)
		if err != nil {
			return err
		}
		return audit(tx, u, action, subject, detail)
	})
}

// Actor names an agent user in the audit log and on tickets.
func Actor(userID string) string { return "agent:" + userID }
