package isp

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// Kinds of service a plan is for.
const (
	Hotspot = "hotspot" // captive-page logins (vouchers, pay-as-you-go)
	PPPoE   = "pppoe"   // a home or office line
)

// How a plan is paid for.
const (
	Bundle  = "bundle"  // prepaid: by time, by data, or both
	Monthly = "monthly" // recurring, one calendar month a period (see periodEnd)
)

// Data sizes are decimal, as ISPs sell them: 1 GB is 10^9 bytes.
const (
	MB int64 = 1_000_000
	GB int64 = 1_000_000_000
)

// MaxPrice bounds a plan's price (KES 1,000,000): the tax split multiplies
// it by 10^8 in an int64.
var MaxPrice = money.MustFromMajor(1_000_000)

// Plan is what a subscriber buys. Its price includes VAT and excise duty.
type Plan struct {
	ID      string // short and stable: "daily-1gb"
	Name    string // what customers read: "Daily 1 GB"
	Kind    string // Hotspot or PPPoE
	Billing string // Bundle or Monthly
	Price   money.Amount
	// Duration is how long a bundle lasts from the moment it starts (0:
	// until its data is used). Monthly plans last a month.
	Duration time.Duration
	// Data is the bytes a period allows; 0 is unlimited.
	Data int64
	Rate RateLimit
	// SharedUsers is how many devices may be online at once
	// (Simultaneous-Use); at least 1.
	SharedUsers int
	// FairUseAfter, when positive, lowers the speed to FairUseRate once a
	// period has used that many bytes, instead of cutting the user off.
	FairUseAfter int64
	FairUseRate  RateLimit
	// Fallback names a free plan a subscriber moves to when this one ends
	// unpaid (a slow plan that keeps them reachable), instead of being
	// suspended.
	Fallback string
	// Grace keeps a monthly plan's service this long after its period
	// ends unpaid, before suspension.
	Grace      time.Duration
	FramedPool string // Framed-Pool for PPPoE, when the router assigns from a named pool
	// Active plans can be bought; an inactive one stays with whoever has
	// it until they buy another.
	Active bool
}

// ErrPlan is wrapped by every error about a plan's settings.
var ErrPlan = errors.New("bad plan")

var planIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// Validate checks a plan on its own; SavePlan also checks its fallback.
func (p Plan) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("plan %q: %w: %s", p.ID, ErrPlan, fmt.Sprintf(format, args...))
	}
	switch {
	case !planIDRE.MatchString(p.ID):
		return bad("the id is 1 to 40 lower-case letters, digits and '-'")
	case p.Name == "" || len(p.Name) > 60:
		return bad("the name is 1 to 60 characters")
	case p.Kind != Hotspot && p.Kind != PPPoE:
		return bad("the kind is %s or %s", Hotspot, PPPoE)
	case p.Billing != Bundle && p.Billing != Monthly:
		return bad("the billing is %s or %s", Bundle, Monthly)
	case p.Price < 0 || p.Price > MaxPrice:
		return bad("the price is 0 to %s", MaxPrice)
	case !p.Price.IsWhole():
		return bad("the price is whole shillings, as M-Pesa takes them")
	case p.Duration < 0 || p.Duration > 366*24*time.Hour || p.Duration%time.Minute != 0:
		return bad("the duration is whole minutes, at most a year")
	case p.Billing == Monthly && p.Duration != 0:
		return bad("a monthly plan lasts a month: leave its duration out")
	case p.Billing == Bundle && p.Duration == 0 && p.Data == 0 && p.Price > 0:
		return bad("a bundle is sold by time, by data or both: give it a duration or data")
	case p.Data < 0:
		return bad("data is not negative")
	case p.SharedUsers < 1 || p.SharedUsers > 100:
		return bad("shared users are 1 to 100")
	case p.FairUseAfter < 0:
		return bad("fair use is not negative")
	case p.FairUseAfter > 0 && p.FairUseRate.IsZero():
		return bad("fair use needs the speed it lowers to")
	case p.FairUseAfter > 0 && p.Data > 0 && p.FairUseAfter >= p.Data:
		return bad("fair use must start before the data runs out")
	case p.Grace < 0 || p.Grace > 31*24*time.Hour:
		return bad("grace is 0 to 31 days")
	case p.Grace > 0 && p.Billing != Monthly:
		return bad("grace is for monthly plans; a bundle ends when it ends")
	case p.Fallback == p.ID:
		return bad("a plan cannot fall back to itself")
	case len(p.FramedPool) > 60:
		return bad("the framed pool's name is at most 60 characters")
	}
	if err := p.Rate.Validate(); err != nil {
		return bad("speed: %v", err)
	}
	if err := p.FairUseRate.Validate(); err != nil {
		return bad("fair-use speed: %v", err)
	}
	return nil
}

const planColumns = `id, name, kind, billing, price, duration_s, data_bytes, rate_rx, rate_tx, burst_rx, burst_tx, threshold_rx, threshold_tx, burst_time_s,
	shared_users, fair_use_bytes, fair_rx, fair_tx, fallback_plan_id, grace_s, framed_pool, active`

func planArgs(p Plan) []any {
	return []any{p.ID, p.Name, p.Kind, p.Billing, int64(p.Price), secs(p.Duration), p.Data, p.Rate.Rx, p.Rate.Tx, p.Rate.BurstRx, p.Rate.BurstTx,
		p.Rate.ThresholdRx, p.Rate.ThresholdTx, secs(p.Rate.BurstTime), p.SharedUsers, p.FairUseAfter, p.FairUseRate.Rx, p.FairUseRate.Tx,
		p.Fallback, secs(p.Grace), p.FramedPool, boolInt(p.Active)}
}

func scanPlan(sc interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	var price, dur, burst, grace int64
	var active int
	err := sc.Scan(&p.ID, &p.Name, &p.Kind, &p.Billing, &price, &dur, &p.Data, &p.Rate.Rx, &p.Rate.Tx, &p.Rate.BurstRx, &p.Rate.BurstTx,
		&p.Rate.ThresholdRx, &p.Rate.ThresholdTx, &burst, &p.SharedUsers, &p.FairUseAfter, &p.FairUseRate.Rx, &p.FairUseRate.Tx,
		&p.Fallback, &grace, &p.FramedPool, &active)
	p.Price, p.Duration, p.Rate.BurstTime, p.Grace, p.Active = money.Amount(price), dur2(dur), dur2(burst), dur2(grace), active != 0
	return p, err
}

// SavePlan adds a plan or changes one. A changed price applies to the next
// purchase; a changed speed to the next login (or the next CoA).
func (s *Service) SavePlan(ctx context.Context, p Plan) error {
	if p.SharedUsers == 0 {
		p.SharedUsers = 1
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error { return savePlan(ctx, tx, p) })
}

// savePlan stores a valid plan in tx, once its fallback is checked.
func savePlan(ctx context.Context, tx *store.Tx, p Plan) error {
	if p.Fallback != "" {
		fb, err := getPlan(ctx, tx, p.Fallback)
		if err != nil {
			return fmt.Errorf("plan %q: fallback: %w", p.ID, err)
		}
		if fb.Price != 0 || fb.Fallback != "" {
			return fmt.Errorf("plan %q: %w: its fallback %q must be free and fall back to nothing", p.ID, ErrPlan, fb.ID)
		}
	}
	args := append(planArgs(p), store.Micros(tx.Now))
	_, err := tx.Exec(`INSERT INTO isp_plans (`+planColumns+`, created_at, updated_at)
		VALUES (`+store.Placeholders(1, 22)+`, $23, $23)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, billing = excluded.billing, price = excluded.price,
			duration_s = excluded.duration_s, data_bytes = excluded.data_bytes, rate_rx = excluded.rate_rx, rate_tx = excluded.rate_tx,
			burst_rx = excluded.burst_rx, burst_tx = excluded.burst_tx, threshold_rx = excluded.threshold_rx, threshold_tx = excluded.threshold_tx,
			burst_time_s = excluded.burst_time_s, shared_users = excluded.shared_users, fair_use_bytes = excluded.fair_use_bytes,
			fair_rx = excluded.fair_rx, fair_tx = excluded.fair_tx, fallback_plan_id = excluded.fallback_plan_id, grace_s = excluded.grace_s,
			framed_pool = excluded.framed_pool, active = excluded.active, updated_at = excluded.updated_at`, args...)
	if err != nil {
		return fmt.Errorf("save plan %q: %w", p.ID, err)
	}
	return nil
}

// GetPlan returns one plan.
func (s *Service) GetPlan(ctx context.Context, id string) (Plan, error) {
	return getPlan(ctx, s.DB.Read(), id)
}

func getPlan(ctx context.Context, q querier, id string) (Plan, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planColumns+` FROM isp_plans WHERE id = $1`, id))
	return p, store.NotFound(err, "plan "+id)
}

// Plans returns every plan, by price.
func (s *Service) Plans(ctx context.Context) ([]Plan, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+planColumns+` FROM isp_plans ORDER BY price, id`)
	if err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, fmt.Errorf("plans: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// speed is the limit a subscription runs at: the fair-use speed once it
// has passed the fair-use threshold.
func (p Plan) speed(throttled bool) RateLimit {
	if throttled && p.FairUseAfter > 0 {
		return p.FairUseRate
	}
	return p.Rate
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }
func dur2(s int64) time.Duration { return time.Duration(s) * time.Second }
func boolInt(b bool) int         { return map[bool]int{true: 1}[b] }
