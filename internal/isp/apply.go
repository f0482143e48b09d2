package isp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// The applier gives the ISP's received payments to their subscribers:
// each is credited to a wallet, and buys the subscriber's plan (or the
// bundle its STK push ordered) when the wallet then holds its price.
// What is left stays in the wallet, and renews the plan when its period
// ends. A payment whose account names no subscriber goes to suspense,
// where the suspense tools (refund) and AssignPayment take it. Each
// payment is applied in the transaction that marks it applied, so once.

// applyBatch is the most payments one transaction applies.
const applyBatch = 100

// maxApplyAttempts is how often a payment that fails to apply (a fault,
// not an unknown account) is tried before it waits in suspense for staff.
const maxApplyAttempts = 10

// Wake tells the applier that payments are waiting.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// RunApplier applies payments until ctx ends, at once when woken and at
// least every 200 ms (another node may have stored them).
//
// Under load the intake wakes it after every batch it commits, hundreds of
// times a second and nearly always for electricity; a wake within
// wakeGap of the last look waits out the gap, so one look answers a burst.
func (s *Service) RunApplier(ctx context.Context) {
	for {
		looked := time.Now()
		n, err := s.ApplyOnce(ctx)
		if err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("apply isp payments", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
			select {
			case <-ctx.Done():
				return
			case <-time.After(wakeGap - time.Since(looked)):
			}
		case <-time.After(200 * time.Millisecond): // another node may have stored it
		}
	}
}

// wakeGap is the least time between two looks for payments to apply when
// woken: what an ISP payment may wait beyond its commit.
const wakeGap = 25 * time.Millisecond

// ApplyOnce applies one batch of received payments and returns how many
// it settled (applied or sent to suspense).
func (s *Service) ApplyOnce(ctx context.Context) (int, error) {
	// A read answers the usual case, nothing waiting, without taking the
	// writer (SQLite has one) several times a second.
	var waiting int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM payments WHERE state = 'received' AND service = 'isp' AND run_after <= $1 LIMIT 1) x`,
		store.Micros(s.now())).Scan(&waiting); err != nil {
		return 0, fmt.Errorf("isp payments waiting: %w", err)
	}
	if waiting == 0 {
		return 0, nil
	}
	var ids []string
	var queued bool
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		queued = false
		if ids, err = claimPayments(tx); err != nil || len(ids) == 0 {
			return err
		}
		for _, id := range ids {
			q, err := s.applyPayment(ctx, tx, id)
			if err != nil {
				return err
			}
			queued = queued || q
		}
		return nil
	})
	if err != nil && len(ids) > 1 {
		// One payment's fault must not hold back the others: each is
		// tried alone, and a failure counts against that payment only.
		return s.applyOneByOne(ctx, ids)
	}
	if err != nil {
		return 0, s.failed(ctx, ids, err)
	}
	if queued {
		s.messagesQueued()
	}
	return len(ids), nil
}

func (s *Service) applyOneByOne(ctx context.Context, ids []string) (int, error) {
	done := 0
	for _, id := range ids {
		var queued bool
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			var err error
			queued, err = s.applyPayment(ctx, tx, id)
			return err
		})
		if err != nil {
			if err := s.failed(ctx, []string{id}, err); err != nil {
				return done, err
			}
			continue
		}
		done++
		if queued {
			s.messagesQueued()
		}
	}
	return done, nil
}

// failed counts a failed attempt at a payment, which is tried again later
// (backing off), or waits in suspense for staff after too many.
func (s *Service) failed(ctx context.Context, ids []string, cause error) error {
	s.cfg.Log.Warn("isp payment not applied, will retry", "err", cause)
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			p, err := payment.Get(ctx, tx, id)
			if err != nil {
				return err
			}
			if p.State != payment.Received {
				continue
			}
			if p.Attempts+1 >= maxApplyAttempts {
				if err := toSuspense(tx, p, "could not be applied: "+cause.Error()); err != nil {
					return err
				}
				continue
			}
			backoff := time.Duration(1<<min(p.Attempts, 6)) * time.Second
			if _, err := tx.Exec(`UPDATE payments SET attempts = attempts + 1, last_error = $2, run_after = $3 WHERE id = $1`,
				id, store.Truncate(cause.Error(), 500), store.Micros(tx.Now.Add(backoff))); err != nil {
				return err
			}
		}
		return nil
	})
}

// claimPayments takes the ISP's received payments, oldest first; another
// node's claims are skipped.
func claimPayments(tx *store.Tx) ([]string, error) {
	rows, err := tx.Query(`SELECT id FROM payments WHERE state = 'received' AND service = 'isp' AND run_after <= $1 ORDER BY received_at LIMIT $2 `+tx.SkipLocked(),
		store.Micros(tx.Now), applyBatch)
	if err != nil {
		return nil, fmt.Errorf("claim isp payments: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// applyPayment applies one claimed payment; it reports whether messages
// were queued.
func (s *Service) applyPayment(ctx context.Context, tx *store.Tx, id string) (bool, error) {
	p, err := payment.Get(ctx, tx, id)
	if err != nil {
		return false, err
	}
	if p.State != payment.Received || p.Service != payment.Internet {
		return false, nil
	}
	sub, planID, why, err := s.accountOf(ctx, tx, p)
	if err != nil {
		return false, err
	}
	if why != "" {
		return false, toSuspense(tx, p, why)
	}
	return true, s.credit(ctx, tx, p, sub, planID, ledger.ISPUnapplied, "paid by M-Pesa "+p.Receipt, "mpesa")
}

// accountOf finds who a payment is for: the subscriber and bundle its STK
// push ordered, or the subscriber its account names (a username, or a
// phone registered to exactly one subscriber). why says, when none is
// found, why not.
func (s *Service) accountOf(ctx context.Context, tx *store.Tx, p payment.Payment) (sub Subscriber, planID, why string, err error) {
	if p.CheckoutID != "" {
		var subID string
		err := tx.QueryRow(`SELECT subscriber_id, plan_id FROM isp_orders WHERE checkout_request_id = $1`, p.CheckoutID).Scan(&subID, &planID)
		if err == nil {
			sub, err = getSubscriber(ctx, tx, `id = $1`, subID)
			return sub, planID, "", err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Subscriber{}, "", "", err
		}
	}
	sub, why, err = findAccount(ctx, tx, p.AccountRef)
	return sub, "", why, err
}

// findAccount finds the subscriber an account typed in M-Pesa names: a
// username (spaces and case aside), or a phone registered to exactly one
// subscriber. why says, when none is found, why not.
func findAccount(ctx context.Context, q querier, typed string) (sub Subscriber, why string, err error) {
	ref := strings.Join(strings.Fields(typed), "")
	sub, err = getSubscriber(ctx, q, `username = $1`, NormalizeUsername(ref))
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return sub, "", err
	}
	if n, perr := phone.Normalize(ref); perr == nil {
		subs, err := byPhone(ctx, q, n)
		switch {
		case err != nil:
			return Subscriber{}, "", err
		case len(subs) == 1:
			return subs[0], "", nil
		case len(subs) > 1:
			return Subscriber{}, fmt.Sprintf("phone %s (the account typed) is registered to %d subscribers: which one?", phone.Mask(n), len(subs)), nil
		}
	}
	return Subscriber{}, fmt.Sprintf("no subscriber %q (account typed as %q)", store.Truncate(NormalizeUsername(ref), 40), store.Truncate(typed, 40)), nil
}

// Payable reports whether an account typed in M-Pesa names a subscriber,
// as the applier will match it: M-Pesa's validation asks before the
// money moves.
func (s *Service) Payable(ctx context.Context, account string) (bool, error) {
	_, why, err := findAccount(ctx, s.DB.Read(), account)
	return err == nil && why == "", err
}

// credit puts payment p in sub's wallet (its money moving from the ledger
// account from), marks it applied, then buys the plan when the wallet
// holds its price: the plan ordered (planID), else the subscription's own.
func (s *Service) credit(ctx context.Context, tx *store.Tx, p payment.Payment, to Subscriber, planID, from, reason, actor string) error {
	// The subscription is locked before the wallet, as everywhere, so that
	// two transactions never wait on each other in a circle.
	sub, plan, err := s.planFor(ctx, tx, to.ID, planID)
	if err != nil {
		return err
	}
	bal, err := walletMove(tx, to.ID, EntryPayment, p.ID, p.Amount)
	if err != nil {
		return err
	}
	if err := ledger.Post(tx, ledger.Transfer("isp_wallet:"+p.ID, "isp_topup", p.ID, from, ledger.ISPWallet, p.Amount)); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE payments SET state = 'applied', reason = '', resolved_at = COALESCE(resolved_at, $2) WHERE id = $1`, p.ID, store.Micros(tx.Now)); err != nil {
		return fmt.Errorf("mark payment %s applied: %w", p.Receipt, err)
	}
	var bought *Purchase
	if plan == nil {
		return s.notifyPayment(ctx, tx, to, p, sub, plan, bought, bal)
	}
	price, err := s.periodPrice(tx, sub, *plan, time.Time{})
	if err != nil {
		return err
	}
	if plan.Price > 0 && bal >= price && (plan.Active || sub.PlanID == plan.ID) {
		pu, err := s.buy(tx, &sub, *plan, payer{by: PaidByWallet, walletOf: to.ID, faceValue: &price}, why{reason: reason, actor: actor})
		if err != nil {
			return err
		}
		bought, bal = &pu, bal-price
	}
	if price != plan.Price { // the message tells what the invoice asks
		shown := *plan
		shown.Price, plan = price, &shown
	}
	return s.notifyPayment(ctx, tx, to, p, sub, plan, bought, bal)
}

// planFor locks the subscriber's live subscription (made pending for the
// plan ordered when there is none) and returns the plan to buy: the one
// ordered, else the subscription's, or, on a free plan (a fallback), the
// one last paid for. nil when there is none to buy.
func (s *Service) planFor(ctx context.Context, tx *store.Tx, subscriberID, ordered string) (Subscription, *Plan, error) {
	sub, err := liveOf(ctx, tx, subscriberID, tx.ForUpdate())
	switch {
	case errors.Is(err, store.ErrNotFound) && ordered != "":
		if sub, err = subscribe(tx, subscriberID, ordered); err != nil {
			return Subscription{}, nil, err
		}
	case errors.Is(err, store.ErrNotFound):
		return Subscription{}, nil, nil
	case err != nil:
		return Subscription{}, nil, err
	}
	id := ordered
	if id == "" {
		id = sub.PlanID
	}
	plan, err := getPlan(ctx, tx, id)
	if err != nil {
		return Subscription{}, nil, err
	}
	if plan.Price == 0 && ordered == "" {
		var last string
		err := tx.QueryRow(`SELECT plan_id FROM isp_purchases WHERE subscription_id = $1 AND price > 0 ORDER BY created_at DESC, id DESC LIMIT 1`, sub.ID).Scan(&last)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return Subscription{}, nil, err
		default:
			if plan, err = getPlan(ctx, tx, last); err != nil {
				return Subscription{}, nil, err
			}
		}
	}
	return sub, &plan, nil
}

// toSuspense sends a received payment to suspense with the reason; its
// money moves to the ISP's suspense account.
func toSuspense(tx *store.Tx, p payment.Payment, reason string) error {
	res, err := tx.Exec(`UPDATE payments SET state = 'suspense', reason = $2 WHERE id = $1 AND state = 'received'`, p.ID, store.Truncate(reason, 300))
	if err != nil {
		return fmt.Errorf("payment %s to suspense: %w", p.Receipt, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil
	}
	books := payment.BooksOf(payment.Internet)
	return ledger.Post(tx, ledger.Transfer("isp_suspend:"+p.ID, "suspense", p.ID, books.Credit, books.Suspense, p.Amount))
}

// AssignPayment resolves an ISP payment in suspense by giving it to the
// subscriber named (staff, from the suspense queue): it is credited and
// applied as if its account had named them. by names the staff member.
func (s *Service) AssignPayment(ctx context.Context, paymentID, username, by string) error {
	var queued bool
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		queued = false
		if _, err := tx.Exec(`SELECT id FROM payments WHERE id = $1 `+tx.ForUpdate(), paymentID); err != nil {
			return err
		}
		p, err := payment.Get(ctx, tx, paymentID)
		if err != nil {
			return err
		}
		if p.State != payment.Suspense || p.Service != payment.Internet {
			return fmt.Errorf("payment %s is a %s payment in state %s, not the ISP's in suspense: %w", p.Receipt, p.Service, p.State, payment.ErrState)
		}
		to, err := getSubscriber(ctx, tx, `username = $1`, NormalizeUsername(username))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE payments SET resolved_by = $2, resolved_at = $3 WHERE id = $1`, p.ID, by, store.Micros(tx.Now)); err != nil {
			return err
		}
		queued = true
		if err := s.credit(ctx, tx, p, to, "", ledger.ISPSuspense, "payment "+p.Receipt+" assigned by staff", by); err != nil {
			return err
		}
		return payment.Audit(tx, by, "payment.assign", p.ID, fmt.Sprintf("receipt %s to subscriber %s", p.Receipt, to.Username))
	})
	if queued && err == nil {
		s.messagesQueued()
	}
	return err
}

// needed is what a subscriber must still pay for plan, with what the
// wallet holds.
func needed(plan Plan, wallet money.Amount) money.Amount {
	return max(plan.Price-wallet, 0)
}
