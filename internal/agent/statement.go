package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// Line is one movement of an outlet's float.
type Line struct {
	At   time.Time
	Kind string // agent_topup, payment (a sale)
	Ref  string // the payment
	// Amount is what the float gained (a top-up) or lost (a sale).
	Amount money.Amount
}

// Statement returns the latest movements of an outlet's float, newest
// first, read from the ledger.
func Statement(ctx context.Context, q Querier, outletID string, limit int) ([]Line, error) {
	rows, err := q.QueryContext(ctx, `SELECT created_at, kind, ref, amount FROM ledger_postings WHERE account = $1 ORDER BY id DESC LIMIT $2`,
		ledger.AgentFloat(outletID), limit)
	if err != nil {
		return nil, fmt.Errorf("float statement: %w", err)
	}
	defer rows.Close()
	var out []Line
	for rows.Next() {
		var l Line
		var at, amount int64
		if err := rows.Scan(&at, &l.Kind, &l.Ref, &amount); err != nil {
			return nil, fmt.Errorf("float statement: %w", err)
		}
		// A liability: a credit (negative) is float gained.
		l.At, l.Amount = store.Time(at), money.Amount(-amount)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Users lists an outlet's users.
func Users(ctx context.Context, q Querier, outletID string) ([]User, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, outlet_id, name, msisdn FROM agent_users WHERE outlet_id = $1 ORDER BY name`, outletID)
	if err != nil {
		return nil, fmt.Errorf("agent users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.OutletID, &u.Name, &u.MSISDN); err != nil {
			return nil, fmt.Errorf("agent users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Rules lists an outlet's commission rules.
func Rules(ctx context.Context, q Querier, outletID string) ([]Rule, error) {
	rows, err := q.QueryContext(ctx, `SELECT tariff_id, share_bp, fixed FROM agent_commissions WHERE outlet_id = $1 ORDER BY tariff_id`, outletID)
	if err != nil {
		return nil, fmt.Errorf("commission rules: %w", err)
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		var r Rule
		var fixed int64
		if err := rows.Scan(&r.TariffID, &r.ShareBP, &fixed); err != nil {
			return nil, fmt.Errorf("commission rules: %w", err)
		}
		r.Fixed = money.Amount(fixed)
		out = append(out, r)
	}
	return out, rows.Err()
}
