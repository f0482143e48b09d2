package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
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

func (b ussdBackend) CheckMeter(ctx context.Context, drn string) (ussd.MeterCheck, error) {
	drn = customer.NormalizeNumber(drn)
	if _, err := sts.ParseDRN(drn); err != nil {
		return ussd.MeterCheck{}, fmt.Errorf("%w: %v", ussd.ErrMeterInvalid, err)
	}
	m, err := customer.GetMeter(ctx, b.a.DB.Read(), drn)
	if errors.Is(err, store.ErrNotFound) || err == nil && m.Status != customer.MeterActive {
		return ussd.MeterCheck{}, fmt.Errorf("meter %s: %w", drn, ussd.ErrMeterNotFound)
	}
	if err != nil {
		return ussd.MeterCheck{}, err
	}
	name, err := customer.OwnerName(ctx, b.a.DB.Read(), drn)
	if err != nil {
		return ussd.MeterCheck{}, err
	}
	return ussd.MeterCheck{DRN: m.DRN, Owner: customer.MaskName(name)}, nil
}

func tokensOf(v vend.Vend) []ussd.Token {
	var out []ussd.Token
	for _, t := range v.Tokens {
		u := ussd.Token{Digits: t.Digits, Amount: v.Amount, At: v.CreatedAt, Receipt: v.Receipt, KeyChange: t.Kind != vend.KindCredit}
		if !u.KeyChange {
			u.Units = v.Quote.Units
		}
		out = append(out, u)
	}
	return out
}

func (b ussdBackend) LastTokens(ctx context.Context, drn string, n int) ([]ussd.Token, error) {
	vs, err := vend.ForMeter(ctx, b.a.DB.Read(), drn, n)
	if err != nil {
		return nil, err
	}
	var out []ussd.Token
	for _, v := range vs {
		out = append(out, tokensOf(v)...)
	}
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

func (b ussdBackend) ResendTokens(ctx context.Context, msisdn, drn string, n int) error {
	// USSD shows the last tokens of any meter whose number the caller
	// types, as *977# does; texting them to the caller shows no more.
	_, err := vend.Resend(ctx, b.a.DB, b.a.Config.Utility, drn, vend.ResendTo{Phone: msisdn, AnyPhone: true}, n)
	if err == nil {
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
	if b.a.Recovery == nil {
		p, err := payment.ByReceipt(ctx, b.a.DB.Read(), strings.ToUpper(receipt))
		if errors.Is(err, store.ErrNotFound) {
			return ussd.PaymentLookup{State: ussd.PaymentNotFound}, nil
		}
		if err != nil {
			return ussd.PaymentLookup{}, err
		}
		return b.lookup(ctx, p)
	}
	// The customer's own meter, when they have exactly one, is the account
	// a payment found only through M-Pesa is recorded for.
	meter := ""
	if ms, err := customer.MetersForPhone(ctx, b.a.DB.Read(), msisdn); err == nil && len(ms) == 1 {
		meter = ms[0].DRN
	}
	l, err := b.a.Recovery.Find(ctx, receipt, msisdn, meter)
	switch {
	case errors.Is(err, payment.ErrBadReceipt):
		return ussd.PaymentLookup{State: ussd.PaymentNotFound}, nil
	case err != nil:
		return ussd.PaymentLookup{}, err
	case l.Payment != nil:
		return b.lookup(ctx, *l.Payment)
	case l.NotFound:
		return ussd.PaymentLookup{State: ussd.PaymentNotFound}, nil
	default:
		return ussd.PaymentLookup{State: ussd.PaymentPending}, nil
	}
}

func (b ussdBackend) lookup(ctx context.Context, p payment.Payment) (ussd.PaymentLookup, error) {
	switch p.State {
	case payment.Applied:
		v, err := vend.ByPayment(ctx, b.a.DB.Read(), p.ID)
		if err != nil {
			return ussd.PaymentLookup{}, err
		}
		return ussd.PaymentLookup{State: ussd.PaymentVended, DRN: v.MeterDRN, Amount: p.Amount, Tokens: tokensOf(v)}, nil
	case payment.Suspense, payment.Reversed:
		return ussd.PaymentLookup{State: ussd.PaymentSuspense, Amount: p.Amount}, nil
	default:
		b.a.Vend.Wake()
		return ussd.PaymentLookup{State: ussd.PaymentPending, Amount: p.Amount, DRN: p.MeterDRN}, nil
	}
}

func (b ussdBackend) RecentPurchases(ctx context.Context, drn string, n int) ([]ussd.Purchase, error) {
	vs, err := vend.ForMeter(ctx, b.a.DB.Read(), drn, n)
	if err != nil {
		return nil, err
	}
	out := make([]ussd.Purchase, 0, len(vs))
	for _, v := range vs {
		out = append(out, ussd.Purchase{At: v.CreatedAt, Amount: v.Amount, Units: v.Quote.Units, Receipt: v.Receipt})
	}
	return out, nil
}

func (b ussdBackend) ReportFault(ctx context.Context, msisdn, drn string, kind ussd.FaultKind, note string) (string, error) {
	f, err := care.ReportFault(ctx, b.a.DB, msisdn, drn, string(kind), note)
	return f.Ref, err
}

func (b ussdBackend) OutageStatus(ctx context.Context, msisdn, drn, lang string) (string, error) {
	m, err := customer.GetMeter(ctx, b.a.DB.Read(), drn)
	if err != nil {
		return "", err
	}
	os, err := care.CurrentOutages(ctx, b.a.DB, m.Area, time.Now())
	if err != nil || len(os) == 0 {
		return "", err
	}
	return os[0].Text(lang), nil
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
