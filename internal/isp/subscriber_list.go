package isp

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// Listed is a subscriber in a list: who, and where their live
// subscription stands.
type Listed struct {
	ID       string
	Username string
	Name     string
	Balance  money.Amount
	PlanID   string // "" without a live subscription
	State    string
	EndsAt   time.Time
	Created  time.Time
}

// MaxListed bounds a list of subscribers.
const MaxListed = 100

// FindSubscribers finds subscribers by what staff type: a phone number
// (in any form) finds those it is registered to; anything else matches
// the start of a username or any part of a name, ignoring case. Nothing
// typed lists the newest. At most MaxListed, newest first.
func (s *Service) FindSubscribers(ctx context.Context, typed string) ([]Listed, error) {
	typed = strings.TrimSpace(typed)
	where, args := "1=1", []any{}
	switch msisdn, err := phone.Normalize(typed); {
	case typed == "":
	case err == nil:
		where, args = `s.id IN (SELECT subscriber_id FROM isp_subscriber_phones WHERE msisdn = $1)`, []any{msisdn}
	default:
		// LIKE's own characters in what was typed match themselves.
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(store.Truncate(typed, 100)))
		where, args = `(s.username LIKE $1 ESCAPE '\' OR lower(s.name) LIKE $2 ESCAPE '\')`, []any{esc + "%", "%" + esc + "%"}
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT s.id, s.username, s.name, s.balance, s.created_at,
			COALESCE(l.plan_id, ''), COALESCE(l.state, ''), COALESCE(l.ends_at, 0)
		FROM isp_subscribers s LEFT JOIN isp_subscriptions l ON l.subscriber_id = s.id AND l.state <> 'terminated'
		WHERE `+where+fmt.Sprintf(` ORDER BY s.created_at DESC, s.id DESC LIMIT %d`, MaxListed), args...)
	if err != nil {
		return nil, fmt.Errorf("find subscribers: %w", err)
	}
	defer rows.Close()
	var out []Listed
	for rows.Next() {
		var l Listed
		var bal, created, ends int64
		if err := rows.Scan(&l.ID, &l.Username, &l.Name, &bal, &created, &l.PlanID, &l.State, &ends); err != nil {
			return nil, fmt.Errorf("find subscribers: %w", err)
		}
		l.Balance, l.Created, l.EndsAt = money.Amount(bal), store.Time(created), store.Time(ends)
		out = append(out, l)
	}
	return out, rows.Err()
}

// SubscriptionStates counts the subscriptions in each state, terminated
// ones included.
func (s *Service) SubscriptionStates(ctx context.Context) (map[string]int, error) {
	return s.countByState(ctx, "isp_subscriptions")
}

// countByState counts a table's rows by their state column.
func (s *Service) countByState(ctx context.Context, table string) (map[string]int, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT state, count(*) FROM `+table+` GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("%s by state: %w", table, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("%s by state: %w", table, err)
		}
		out[st] = n
	}
	return out, rows.Err()
}
