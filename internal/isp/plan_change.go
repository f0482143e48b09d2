package isp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// ErrPlanExists is returned when a new plan takes the id of one that
// exists: a plan is changed as itself, never replaced by accident.
var ErrPlanExists = errors.New("a plan with that id exists")

// CreatePlan adds a new plan; by names who did it, in the audit log.
func (s *Service) CreatePlan(ctx context.Context, p Plan, by string) error {
	return s.changePlan(ctx, p, by, true)
}

// UpdatePlan changes a plan's settings; the audit log keeps what changed
// and who changed it. A changed price applies to the next purchase.
func (s *Service) UpdatePlan(ctx context.Context, p Plan, by string) error {
	return s.changePlan(ctx, p, by, false)
}

func (s *Service) changePlan(ctx context.Context, p Plan, by string, isNew bool) error {
	if p.SharedUsers == 0 {
		p.SharedUsers = 1
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		before, err := getPlan(ctx, tx, p.ID)
		switch {
		case isNew && err == nil:
			return fmt.Errorf("plan %q: %w", p.ID, ErrPlanExists)
		case isNew && errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		}
		if err := savePlan(ctx, tx, p); err != nil {
			return err
		}
		if isNew {
			return payment.Audit(tx, by, "isp.plan.create", p.ID, planDiff(Plan{}, p))
		}
		return payment.Audit(tx, by, "isp.plan.change", p.ID, planDiff(before, p))
	})
}

// planDiff says what differs between two versions of a plan, setting by
// setting, for the audit log: "price 50.00 → 60.00; speed 2M/5M → 3M/6M".
func planDiff(a, b Plan) string {
	var out []string
	for _, f := range []struct {
		name   string
		before any
		after  any
	}{
		{"name", a.Name, b.Name}, {"kind", a.Kind, b.Kind}, {"billing", a.Billing, b.Billing}, {"price", a.Price, b.Price},
		{"duration", a.Duration, b.Duration}, {"data", a.Data, b.Data}, {"speed", a.Rate, b.Rate}, {"shared users", a.SharedUsers, b.SharedUsers},
		{"fair use after", a.FairUseAfter, b.FairUseAfter}, {"fair-use speed", a.FairUseRate, b.FairUseRate}, {"fallback", a.Fallback, b.Fallback},
		{"grace", a.Grace, b.Grace}, {"framed pool", a.FramedPool, b.FramedPool}, {"on sale", a.Active, b.Active},
	} {
		if f.before != f.after {
			out = append(out, fmt.Sprintf("%s %v → %v", f.name, f.before, f.after))
		}
	}
	return store.Truncate(strings.Join(out, "; "), 1000)
}
