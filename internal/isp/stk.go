package isp

import (
	"context"
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// ErrNoSTK is returned when bundles cannot be bought by STK push: the ISP
// has no Daraja client of its own.
var ErrNoSTK = errors.New("paying by STK push is not set up for the ISP")

// ErrWalletEnough is returned by BuyBundle when the subscriber's wallet
// already holds the plan's price: there is nothing to push for, and the
// plan is bought from the wallet instead (Buy).
var ErrWalletEnough = errors.New("the wallet holds enough for the plan")

// CanPush reports whether bundles can be bought by STK push: the ISP has
// a Daraja client of its own. Without one, BuyBundle returns ErrNoSTK.
func (s *Service) CanPush() bool { return s.cfg.STK != nil && s.cfg.Daraja != nil }

// BuyBundle asks msisdn's phone, by STK push through the ISP's short code,
// to pay for plan for the subscriber named (theirs, or a friend's). The
// price asked is the plan's, less what the wallet holds. When the payment
// comes, the applier buys that plan, whatever the subscription was on.
// channel names where it was asked from (portal, ussd, captive).
func (s *Service) BuyBundle(ctx context.Context, msisdn, username, planID, channel string) (payment.STKRequest, error) {
	if !s.CanPush() {
		return payment.STKRequest{}, ErrNoSTK
	}
	num, err := phone.Normalize(msisdn)
	if err != nil {
		return payment.STKRequest{}, err
	}
	to, err := s.ByUsername(ctx, username)
	if err != nil {
		return payment.STKRequest{}, err
	}
	plan, err := s.GetPlan(ctx, planID)
	if err != nil {
		return payment.STKRequest{}, err
	}
	if !plan.Active || plan.Price <= 0 {
		return payment.STKRequest{}, fmt.Errorf("plan %s: %w", planID, ErrPlanShut)
	}
	amount := needed(plan, to.Balance)
	if amount <= 0 {
		return payment.STKRequest{}, fmt.Errorf("the wallet of %s holds %s, enough for %s: %w", to.Username, to.Balance, plan.Name, ErrWalletEnough)
	}
	// M-Pesa takes whole shillings: round what is needed up.
	if rest := amount % 100; rest != 0 {
		amount += 100 - rest
	}
	r, err := s.cfg.STK.StartFor(ctx, payment.Push{Service: payment.Internet, Client: s.cfg.Daraja, ShortCode: s.shortCode(), MSISDN: num, Account: to.Username,
		Amount: amount, Channel: channel, Description: "Internet"})
	if err != nil {
		return payment.STKRequest{}, err
	}
	// The order is kept once the push is accepted; its callback comes at
	// the earliest when the customer has typed their PIN, seconds later.
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO isp_orders (checkout_request_id, subscriber_id, plan_id, msisdn, amount, channel, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (checkout_request_id) DO NOTHING`, r.CheckoutRequestID, to.ID, plan.ID, num, int64(amount), channel, store.Micros(tx.Now))
		return err
	})
	if err != nil {
		return payment.STKRequest{}, fmt.Errorf("keep the order of %s for %s: %w", plan.ID, to.Username, err)
	}
	return r, nil
}
