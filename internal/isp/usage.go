package isp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// Usage is where a subscriber stands now: what is left of their data and
// time, as of the last accounting packet of each session.
type Usage struct {
	Username  string
	Plan      string // its name; "" without a plan
	State     string
	DataUsed  int64
	DataLimit int64 // 0: unlimited
	DataLeft  int64 // 0 when unlimited or used up; see Unlimited
	Unlimited bool
	EndsAt    time.Time     // zero: no end
	TimeLeft  time.Duration // 0 when ended or without end
	Throttled bool          // past the fair-use threshold
	Wallet    money.Amount
	Online    int // sessions open now
}

// UsageOf returns a subscriber's usage at the database clock's now.
func (s *Service) UsageOf(ctx context.Context, subscriberID string) (Usage, error) {
	to, err := getSubscriber(ctx, s.DB.Read(), `id = $1`, subscriberID)
	if err != nil {
		return Usage{}, err
	}
	u := Usage{Username: to.Username, Wallet: to.Balance}
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM isp_sessions WHERE subscriber_id = $1 AND stopped_at IS NULL`, to.ID).Scan(&u.Online); err != nil {
		return Usage{}, fmt.Errorf("usage of %s: %w", to.Username, err)
	}
	sub, err := liveOf(ctx, s.DB.Read(), to.ID, "")
	if errors.Is(err, store.ErrNotFound) {
		return u, nil
	}
	if err != nil {
		return Usage{}, err
	}
	plan, err := s.GetPlan(ctx, sub.PlanID)
	if err != nil {
		return Usage{}, err
	}
	now := s.now()
	u.Plan, u.State, u.Throttled = plan.Name, sub.State, sub.Throttled
	u.DataUsed, u.DataLimit, u.Unlimited = sub.DataUsed, sub.DataLimit, sub.DataLimit == 0
	if !u.Unlimited {
		u.DataLeft = max(sub.DataLimit-sub.DataUsed, 0)
	}
	u.EndsAt = sub.EndsAt
	if sub.State == Grace {
		u.EndsAt = sub.GraceUntil
	}
	if !u.EndsAt.IsZero() && u.EndsAt.After(now) {
		u.TimeLeft = u.EndsAt.Sub(now)
	}
	return u, nil
}

// UsageText answers the USAGE (MATUMIZI) keyword from msisdn: the usage of
// each subscriber the phone is registered to (at most three), or of the
// one named, in lang. A phone learns only the usage of its own accounts.
func (s *Service) UsageText(ctx context.Context, msisdn, lang string, args []string) (string, error) {
	subs, err := s.ByPhone(ctx, msisdn)
	if err != nil {
		return "", err
	}
	if len(args) > 0 {
		name := NormalizeUsername(args[0])
		var mine []Subscriber
		for _, u := range subs {
			if u.Username == name {
				mine = append(mine, u)
			}
		}
		if len(mine) == 0 {
			return say(lang, "not_yours", name), nil
		}
		subs = mine
	}
	if len(subs) == 0 {
		return say(lang, "none"), nil
	}
	var lines []string
	for _, u := range subs[:min(len(subs), 3)] {
		us, err := s.UsageOf(ctx, u.ID)
		if err != nil {
			return "", err
		}
		lines = append(lines, usageLine(lang, us))
	}
	return strings.Join(lines, "\n"), nil
}

func usageLine(lang string, u Usage) string {
	if u.Plan == "" {
		return say(lang, "no_plan", u.Username, kes(u.Wallet))
	}
	data := say(lang, "unlimited")
	if !u.Unlimited {
		data = say(lang, "data_left", Bytes(u.DataLeft), Bytes(u.DataLimit))
	}
	if u.Throttled {
		data += " " + say(lang, "fair_use")
	}
	left := say(lang, "no_end")
	switch {
	case u.State != Active && u.State != Grace:
		left = say(lang, "no_service")
	case !u.EndsAt.IsZero():
		left = say(lang, "until", until(u.EndsAt))
	}
	return say(lang, "line", u.Username, u.Plan, data, left, kes(u.Wallet))
}
