package care

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

// Vender vends the payments waiting for a token: the vend worker, whose
// claim makes one vend of a payment however many ask at once.
type Vender interface {
	RunOnce(ctx context.Context) (int, error)
}

// TokenHelp settles a "no token" ticket: it finds the customer's newest
// payment, vends it through the vend worker when it was never vended, and
// answers with its token. A payment in suspense or being verified is left
// for a person, because matching money to a meter is staff's decision.
type TokenHelp struct {
	DB     *store.DB
	Vend   Vender
	Window time.Duration // how far back a payment counts; default 72 hours
	// Wait is how long to wait for another's vend of the payment to
	// commit; default 10 seconds.
	Wait time.Duration
}

// Resolve implements SelfHelp.
func (h *TokenHelp) Resolve(ctx context.Context, t Ticket) (string, bool, error) {
	p, ok, err := h.payment(ctx, t)
	if err != nil || !ok {
		return "", false, err
	}
	if mine, err := h.theirs(ctx, t, p); err != nil || !mine {
		// A meter's purchases are its own phones' and its payer's business:
		// a report from another phone is left for a person.
		return "", false, err
	}
	switch p.State {
	case payment.Received, payment.Applied:
	case payment.Verifying:
		return textIn(t.Language, "verifying", p.Receipt), false, nil
	default:
		return "", false, fmt.Errorf("payment %s is %s: %s", p.Receipt, p.State, p.Reason)
	}
	v, err := h.vendOf(ctx, p)
	if err != nil {
		return "", false, err
	}
	var toks []string
	for _, tk := range v.Tokens {
		toks = append(toks, tk.Grouped())
	}
	return textIn(t.Language, "token", v.Receipt, v.Quote.Units, strings.Join(toks, " ")), true, nil
}

// payment finds the newest electricity payment for the ticket's meter, or
// from its phone to one of the phone's meters, within the window.
func (h *TokenHelp) payment(ctx context.Context, t Ticket) (payment.Payment, bool, error) {
	meters := []string{}
	if t.MeterDRN != "" {
		meters = append(meters, t.MeterDRN)
	} else if t.MSISDN != "" {
		ms, err := customer.MetersForPhone(ctx, h.DB.Read(), t.MSISDN)
		if err != nil {
			return payment.Payment{}, false, err
		}
		for _, m := range ms {
			meters = append(meters, m.DRN)
		}
	}
	var phones []string
	if t.MSISDN != "" {
		phones = []string{t.MSISDN}
	}
	ps, err := payment.ForAccounts(ctx, h.DB.Read(), meters, phones, 10)
	if err != nil {
		return payment.Payment{}, false, err
	}
	window := h.Window
	if window <= 0 {
		window = 72 * time.Hour
	}
	since := h.DB.Now().Add(-window)
	for _, p := range ps {
		if p.Service == payment.Electricity && p.ReceivedAt.After(since) {
			return p, true, nil
		}
	}
	return payment.Payment{}, false, nil
}

// theirs reports whether the ticket's phone may hear of payment p: it
// paid it, or the meter it bought for is registered to it.
func (h *TokenHelp) theirs(ctx context.Context, t Ticket, p payment.Payment) (bool, error) {
	if t.MSISDN == "" {
		return false, nil
	}
	if p.Payer == t.MSISDN || p.NotifyMSISDN == t.MSISDN {
		return true, nil
	}
	ms, err := customer.MetersForPhone(ctx, h.DB.Read(), t.MSISDN)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if p.MeterDRN != "" && m.DRN == p.MeterDRN || p.MeterDRN == "" && m.DRN == p.AccountRef {
			return true, nil
		}
	}
	return false, nil
}

// vendOf returns the payment's vend, running the vend worker while it has
// none: what another vends meanwhile is found, never made twice.
func (h *TokenHelp) vendOf(ctx context.Context, p payment.Payment) (vend.Vend, error) {
	wait := h.Wait
	if wait <= 0 {
		wait = 10 * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		v, err := vend.ByPayment(ctx, h.DB.Read(), p.ID)
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return vend.Vend{}, err
		}
		if time.Now().After(deadline) {
			return vend.Vend{}, fmt.Errorf("payment %s: no vend after %s", p.Receipt, wait)
		}
		if h.Vend != nil {
			if _, err := h.Vend.RunOnce(ctx); err != nil {
				return vend.Vend{}, err
			}
		}
		select {
		case <-ctx.Done():
			return vend.Vend{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
