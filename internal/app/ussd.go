package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/ussd"
	"github.com/mteja/mteja/internal/vend"
)

// ussdBackend gives the USSD menus what they need from the domains.
type ussdBackend struct{ a *App }

var _ ussd.Backend = ussdBackend{}

func (b ussdBackend) MetersForPhone(ctx context.Context, msisdn string) ([]ussd.Meter, error) {
	ms, err := customer.MetersForPhone(ctx, b.a.DB.Read(), msisdn)
	if err != nil {
		return nil, err
	}
	out := make([]ussd.Meter, 0, len(ms))
	for _, m := range ms {
		out = append(out, ussd.Meter{DRN: m.DRN, Label: m.Area})
	}
	return out, nil
}

func (b ussdBackend) CheckMeter(ctx context.Context, msisdn, drn string) (ussd.MeterCheck, error) {
	drn = customer.NormalizeNumber(drn)
	if _, err := sts.ParseDRN(drn); err != nil {
		return ussd.MeterCheck{}, fmt.Errorf("%w: %v", ussd.ErrMeterInvalid, err)
	}
	m, own, err := customer.Lookup(ctx, b.a.DB, msisdn, drn)
	var ex *quota.Exceeded
	switch {
	case errors.As(err, &ex):
		return ussd.MeterCheck{}, fmt.Errorf("meter %s: %w: %v", drn, ussd.ErrTooMany, err)
	case errors.Is(err, store.ErrNotFound) || err == nil && m.Status != customer.MeterActive:
		return ussd.MeterCheck{}, fmt.Errorf("meter %s: %w", drn, ussd.ErrMeterNotFound)
	case err != nil:
		return ussd.MeterCheck{}, err
	}
	c := ussd.MeterCheck{DRN: m.DRN, Own: own}
	if own {
		c.Label = m.Area
	}
	return c, nil
}

// tokensOf lists a vend's tokens; bare leaves out what was bought, for a
// caller whose meter it is not.
func tokensOf(v vend.Vend, bare bool) []ussd.Token {
	var out []ussd.Token
	for _, t := range v.Tokens {
		u := ussd.Token{Digits: t.Digits, At: v.CreatedAt, KeyChange: t.Kind != vend.KindCredit}
		if !bare {
			u.Amount, u.Receipt = v.Amount, v.Receipt
			if !u.KeyChange {
				u.Units = v.Quote.Units
			}
		}
		out = append(out, u)
	}
	return out
}

func (b ussdBackend) LastTokens(ctx context.Context, msisdn, drn string, n int) ([]ussd.Token, error) {
	own, err := customer.IsPhoneOf(ctx, b.a.DB.Read(), msisdn, drn)
	if err != nil {
		return nil, err
	}
	vs, err := vend.ForMeter(ctx, b.a.DB.Read(), drn, n)
	if err != nil {
		return nil, err
	}
	var out []ussd.Token
	for _, v := range vs {
		out = append(out, tokensOf(v, !own)...)
	}
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// ResendTokens sends a meter's tokens only to one of its own phones.
func (b ussdBackend) ResendTokens(ctx context.Context, msisdn, drn string, n int) error {
	own, err := customer.IsPhoneOf(ctx, b.a.DB.Read(), msisdn, drn)
	if err != nil {
		return err
	}
	if !own {
		return fmt.Errorf("re-send tokens of %s: %w", drn, ussd.ErrNotYours)
	}
	if _, err = vend.Resend(ctx, b.a.DB, b.a.Config.Utility, drn, vend.ResendTo{Phone: msisdn}, n); err == nil {
		b.a.Delivery.Wake()
	}
	return err
}

func (b ussdBackend) BuyLimits(ctx context.Context, drn string) (ussd.Limits, error) {
	lo, hi, err := b.a.limits(ctx, drn)
	return ussd.Limits{Min: lo, Max: hi}, err
}

func (b ussdBackend) BuyToken(ctx context.Context, msisdn, drn string, amount money.Amount) error {
	if b.a.STK == nil {
		return errors.New("M-Pesa STK push is not configured")
	}
	_, err := b.a.STK.Start(ctx, msisdn, drn, amount, "ussd")
	var le *payment.LimitError
	if errors.As(err, &le) {
		return &ussd.LimitError{Amount: amount, Limits: ussd.Limits{Min: le.Min, Max: le.Max}}
	}
	return err
}

func (b ussdBackend) FindPayment(ctx context.Context, msisdn, receipt string) (ussd.PaymentLookup, error) {
	rc := b.a.Recovery
	l, err := rc.Find(ctx, receipt, payment.Asker{MSISDN: msisdn, Channel: "ussd"})
	var ex *quota.Exceeded
	switch {
	case errors.Is(err, payment.ErrBadReceipt):
		return ussd.PaymentLookup{State: ussd.PaymentNotFound}, nil
	case errors.As(err, &ex):
		return ussd.PaymentLookup{}, fmt.Errorf("receipt %s: %w: %v", receipt, ussd.ErrTooMany, err)
	case err != nil:
		return ussd.PaymentLookup{}, err
	case l.Payment != nil:
		return b.lookup(ctx, *l.Payment, l.Rightful)
	case l.NotFound:
		return ussd.PaymentLookup{State: ussd.PaymentNotFound}, nil
	default:
		return ussd.PaymentLookup{State: ussd.PaymentPending}, nil
	}
}

// lookup tells the caller about a payment; amounts only to its rightful
// askers (the payer, the meter's own phones).
func (b ussdBackend) lookup(ctx context.Context, p payment.Payment, rightful bool) (ussd.PaymentLookup, error) {
	var out ussd.PaymentLookup
	if rightful {
		out.Amount = p.Amount
	}
	switch p.State {
	case payment.Applied:
		v, err := vend.ByPayment(ctx, b.a.DB.Read(), p.ID)
		if err != nil {
			return ussd.PaymentLookup{}, err
		}
		out.State, out.DRN, out.Tokens = ussd.PaymentVended, v.MeterDRN, tokensOf(v, !rightful)
	case payment.Suspense, payment.Reversed:
		out.State = ussd.PaymentSuspense
	default:
		b.a.Vend.Wake()
		out.State, out.DRN = ussd.PaymentPending, p.MeterDRN
	}
	return out, nil
}

func (b ussdBackend) RecentPurchases(ctx context.Context, msisdn, drn string, n int) ([]ussd.Purchase, error) {
	own, err := customer.IsPhoneOf(ctx, b.a.DB.Read(), msisdn, drn)
	if err != nil {
		return nil, err
	}
	if !own {
		return nil, fmt.Errorf("purchases of %s: %w", drn, ussd.ErrNotYours)
	}
	vs, err := vend.ForMeter(ctx, b.a.DB.Read(), drn, n)
	if err != nil {
		return nil, err
	}
	out := make([]ussd.Purchase, 0, len(vs))
	for _, v := range vs {
		out = append(out, ussd.Purchase{At: v.CreatedAt, Amount: v.Amount, Units: v.Quote.Units, Receipt: v.Receipt, Compensation: v.Compensation})
	}
	return out, nil
}

func (b ussdBackend) ReportFault(ctx context.Context, msisdn, drn string, kind ussd.FaultKind, note string) (string, error) {
	f, err := b.a.Desk.ReportFault(ctx, care.ChannelUSSD, msisdn, drn, string(kind), note)
	if err == nil && kind == ussd.FaultNoPower {
		// Grouped into suspected outages; the fault is recorded and its
		// reference is the answer even if this fails.
		if err := b.a.reportNoPower(ctx, msisdn, drn); err != nil {
			b.a.Log.Error("no-power report", "meter", drn, "err", err)
		}
	}
	return f.Ref, err
}

func (b ussdBackend) OutageStatus(ctx context.Context, msisdn, drn, lang string) (string, error) {
	return b.a.outageService().phone.MeterStatusText(ctx, drn, lang)
}

func (b ussdBackend) Language(ctx context.Context, msisdn string) (string, error) {
	ms, err := customer.MetersForPhone(ctx, b.a.DB.Read(), msisdn)
	if err != nil || len(ms) == 0 {
		return "", err
	}
	return customer.LanguageOf(ctx, b.a.DB.Read(), msisdn)
}

func (b ussdBackend) SetLanguage(ctx context.Context, msisdn, lang string) error {
	return customer.SetLanguage(ctx, b.a.DB, msisdn, lang)
}

func (b ussdBackend) MeterMessages(_ context.Context, lang string) ([]ussd.MeterMessage, error) {
	var out []ussd.MeterMessage
	for _, m := range care.MeterMessages() {
		name, say := m.In(lang)
		out = append(out, ussd.MeterMessage{Name: name, Say: say})
	}
	return out, nil
}
