package isp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// The periodic sweep ends the periods whose time ran out (renewing them
// from the wallet, falling back, entering grace or suspending), ends
// grace (unless the plan's dunning keeps service on), sends the "ends
// soon" alert, issues monthly plans' invoices and their reminders, closes
// sessions that went silent and confirms acknowledged Disconnects. Every step is a guarded update
// of rows in the state it expects, so several nodes may sweep at once.

// SweepEvery is how often Run sweeps.
const SweepEvery = 15 * time.Second

// sweepBatch bounds each step of one sweep; the next sweep takes the rest.
const sweepBatch = 200

// RunSweeps sweeps at once and then every SweepEvery until ctx ends.
func (s *Service) RunSweeps(ctx context.Context) {
	t := time.NewTicker(SweepEvery)
	defer t.Stop()
	for {
		if err := s.SweepOnce(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("isp sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SweepOnce runs every step of the sweep once, at the database clock's now.
func (s *Service) SweepOnce(ctx context.Context) error {
	now := s.now()
	queued := false
	var errs []error
	for _, step := range []func(context.Context, time.Time) (bool, error){s.sweepEnded, s.sweepTimeAlerts, s.sweepInvoices, s.sweepReminders} {
		q, err := step(ctx, now)
		queued = queued || q
		errs = append(errs, err)
	}
	errs = append(errs, s.closeSilent(ctx, now), s.confirmDisconnects(ctx, now))
	if queued {
		s.messagesQueued()
	}
	return errors.Join(errs...)
}

// sweepEnded ends the active periods whose time has run out and the
// graces that have.
func (s *Service) sweepEnded(ctx context.Context, now time.Time) (bool, error) {
	ids, err := store.Strings(ctx, s.DB.Read(), `SELECT id FROM isp_subscriptions WHERE state = 'active' AND ends_at > 0 AND ends_at <= $1
		UNION ALL SELECT id FROM isp_subscriptions WHERE state = 'grace' AND grace_until <= $1
		AND plan_id NOT IN (SELECT plan_id FROM isp_dunning WHERE suspend = 0) LIMIT $2`, store.Micros(now), sweepBatch)
	if err != nil {
		return false, fmt.Errorf("periods ended: %w", err)
	}
	for _, id := range ids {
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			sub, err := lockSubscription(tx, id)
			if err != nil {
				return err
			}
			due := sub.State == Active && !sub.EndsAt.IsZero() && !tx.Now.Before(sub.EndsAt) || sub.State == Grace && !tx.Now.Before(sub.GraceUntil)
			if !due {
				return nil // paid, or swept by another node, since it was listed
			}
			plan, err := getPlan(ctx, tx, sub.PlanID)
			if err != nil {
				return err
			}
			_, err = s.endPeriod(ctx, tx, &sub, plan, true, why{actor: "system"})
			return err
		})
		if err != nil {
			return true, fmt.Errorf("end the period of %s: %w", id, err)
		}
	}
	return len(ids) > 0, nil
}

// sweepTimeAlerts tells subscribers whose period is 80% gone, and whose
// wallet will not renew it, when it ends; not those whose next period is
// invoiced (its reminders tell them).
func (s *Service) sweepTimeAlerts(ctx context.Context, now time.Time) (bool, error) {
	ids, err := store.Strings(ctx, s.DB.Read(), `SELECT s.id FROM isp_subscriptions s JOIN isp_plans p ON p.id = s.plan_id JOIN isp_subscribers u ON u.id = s.subscriber_id
		WHERE s.state = 'active' AND s.ends_at > $1 AND s.period_start > 0 AND (s.alerts & $2) = 0
		AND s.period_start + (s.ends_at - s.period_start) / 5 * 4 <= $1 AND u.balance < p.price
		AND NOT EXISTS (SELECT 1 FROM isp_invoices i WHERE i.subscription_id = s.id AND i.period_start = s.ends_at AND i.kind = 'invoice') LIMIT $3`, store.Micros(now), alertTime80, sweepBatch)
	if err != nil {
		return false, fmt.Errorf("time alerts: %w", err)
	}
	for _, id := range ids {
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			sub, err := lockSubscription(tx, id)
			if err != nil || sub.State != Active || sub.alerts&alertTime80 != 0 {
				return err
			}
			sub.alerts |= alertTime80
			if err := save(tx, sub); err != nil {
				return err
			}
			plan, err := getPlan(ctx, tx, sub.PlanID)
			if err != nil {
				return err
			}
			return s.tellAbout(ctx, tx, sub, plan, "time80", nil)
		})
		if err != nil {
			return true, fmt.Errorf("time alert of %s: %w", id, err)
		}
	}
	return len(ids) > 0, nil
}

// closeSilent closes the sessions not heard of for three interim
// intervals: a router that rebooted sends no Stop. They are closed as of
// when last heard, never deleted.
func (s *Service) closeSilent(ctx context.Context, now time.Time) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		// The index on last_at finds the candidates: none can be silent
		// for less than three of the shortest interval allowed.
		_, err := tx.Exec(`UPDATE isp_sessions SET stopped_at = last_at, terminate_cause = 'Stale'
			WHERE stopped_at IS NULL AND last_at < $2 AND last_at + interim_s * 3000000 < $1`,
			store.Micros(now), store.Micros(now.Add(-90*time.Second)))
		if err != nil {
			return fmt.Errorf("close silent sessions: %w", err)
		}
		return nil
	})
}
