package isp

import (
	"context"
	"fmt"

	"github.com/mteja/mteja/internal/store"
)

// What follows a period that ended.
type outcome int

const (
	renewed   outcome = iota // paid from the wallet: service goes on
	fellBack                 // moved to the plan's free fallback
	inGrace                  // a monthly plan's service goes on unpaid for its grace
	suspended                // no service until paid
)

// endPeriod decides what follows sub's period, in tx, once its time ran
// out (byTime) or its data did: a renewal from the wallet when it holds
// the plan's price; else the plan's free fallback; else, for a monthly
// plan whose time ran out, its grace; else suspension. The subscriber is
// told which. A renewed monthly plan runs on from the end of the last
// period, keeping its day of the month; anything else starts now.
func (s *Service) endPeriod(ctx context.Context, tx *store.Tx, sub *Subscription, plan Plan, byTime bool, w why) (outcome, error) {
	to, err := getSubscriber(ctx, tx, `id = $1`, sub.SubscriberID)
	if err != nil {
		return 0, err
	}
	// The wallet is read locked: a purchase from it elsewhere waits.
	if err := tx.QueryRow(`SELECT balance FROM isp_subscribers WHERE id = $1 `+tx.ForUpdate(), to.ID).Scan((*int64)(&to.Balance)); err != nil {
		return 0, fmt.Errorf("wallet of %s: %w", to.Username, err)
	}
	cause := "its data was used up"
	switch {
	case byTime && sub.State == Grace:
		cause = "its grace ran out"
	case byTime:
		cause = "its time ran out"
	}
	from := sub.EndsAt
	if !byTime || plan.Billing != Monthly || !periodEnd(plan, sub.EndsAt, sub.AnchorDay).After(tx.Now) {
		from = tx.Now
	}
	price, err := s.periodPrice(tx, *sub, plan, from)
	if err != nil {
		return 0, err
	}
	if plan.Price > 0 && to.Balance >= price {
		w.reason = "renewed from the wallet: " + cause
		if _, err := s.buy(tx, sub, plan, payer{by: PaidByWallet, walletOf: to.ID, renewFrom: from, faceValue: &price}, w); err != nil {
			return 0, err
		}
		to.Balance -= price
		return renewed, s.tell(tx, to, "", "renewed", sub.ID, s.baseMessage(to, plan, *sub))
	}
	m := s.baseMessage(to, plan, *sub)
	if plan.Fallback != "" {
		fb, err := getPlan(ctx, tx, plan.Fallback)
		if err != nil {
			return 0, fmt.Errorf("fallback of %s: %w", plan.ID, err)
		}
		w.reason = fmt.Sprintf("unpaid, fell back to %s: %s", fb.ID, cause)
		if _, err := s.buy(tx, sub, fb, payer{by: PaidFree}, w); err != nil {
			return 0, err
		}
		m.Fallback = fb.Name
		return fellBack, s.tell(tx, to, "", "fallback", sub.ID, m)
	}
	was := *sub
	suspend := true
	if byTime && plan.Billing == Monthly {
		if suspend, err = suspends(ctx, tx, plan.ID); err != nil {
			return 0, err
		}
	}
	if byTime && (plan.Grace > 0 || !suspend) && sub.State == Active {
		sub.State, sub.GraceUntil = Grace, sub.EndsAt.Add(plan.Grace)
		w.reason = "unpaid: " + cause + "; service goes on until " + until(sub.GraceUntil) + " EAT"
		if err := s.move(tx, sub, was, w); err != nil {
			return 0, err
		}
		m.Until = until(sub.GraceUntil)
		return inGrace, s.tell(tx, to, "", "grace", sub.ID, m)
	}
	sub.State = Suspended
	w.reason = "unpaid: " + cause
	if err := s.move(tx, sub, was, w); err != nil {
		return 0, err
	}
	name := "ended"
	if !byTime && sub.exhausted() {
		name = "data100"
	}
	return suspended, s.tell(tx, to, "", name, sub.ID, m)
}
