package console

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
	"github.com/mteja/mteja/internal/webpage"
)

type quoteData struct {
	Tariffs               []string
	Tariff, Amount, Meter string // as typed
	Result                *quoteResult
}

// quoteResult is the itemised receipt a payment would get now.
type quoteResult struct {
	From     string // the version that prices it
	Currency string
	Quote    tariff.Quote
	TokenKWh string
	// Meter is the meter quoted for, with its energy this month; nil for a
	// meter with no debt making its first purchase of the month.
	Meter    *customer.Meter
	MonthKWh string
}

// quote prices a payment under a tariff: for a meter with no debt on its
// first purchase of the month or, given a meter, for that meter as it
// stands (its energy this month and its debt). Quoting for a meter reads
// its record, and is audited.
func (h *Handler) quote(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	q := v.r.URL.Query()
	d := quoteData{Tariff: strings.TrimSpace(q.Get("tariff")), Amount: strings.TrimSpace(q.Get("amount")), Meter: customer.NormalizeNumber(q.Get("meter"))}
	ts, err := vend.ListTariffs(ctx, h.DB.Read())
	if err != nil {
		return err
	}
	for _, s := range ts {
		d.Tariffs = append(d.Tariffs, s.ID)
	}
	p := h.page(v, "quote.title", &d)
	if d.Amount == "" {
		return h.render(w, v, http.StatusOK, "quote", p)
	}
	status, key, args, err := h.priceQuote(v, &d)
	if err != nil {
		return err
	}
	if key != "" {
		p.Err = t(v.lang, key, args...)
	}
	return h.render(w, v, status, "quote", p)
}

// priceQuote fills d.Result, or says what is wrong with the request (a
// status and a message key with its arguments).
func (h *Handler) priceQuote(v *visit, d *quoteData) (status int, key string, args []any, err error) {
	ctx := v.r.Context()
	paid, err := money.Parse(d.Amount)
	if err != nil || paid <= 0 || len(d.Amount) > 20 {
		return http.StatusBadRequest, "quote.badamount", nil, nil
	}
	s, err := vend.GetTariff(ctx, h.DB.Read(), d.Tariff)
	if errors.Is(err, store.ErrNotFound) {
		return http.StatusNotFound, "quote.notariff", nil, nil
	} else if err != nil {
		return 0, "", nil, err
	}
	var m *customer.Meter
	if d.Meter != "" {
		got, err := customer.GetMeter(ctx, h.DB.Read(), d.Meter)
		if errors.Is(err, store.ErrNotFound) {
			return http.StatusNotFound, "quote.nometer", nil, nil
		} else if err != nil {
			return 0, "", nil, err
		}
		if err := h.audit(v, "tariff.quote", got.DRN, fmt.Sprintf("tariff %s, %s", s.ID, paid.Format(s.Tariff.Currency))); err != nil {
			return 0, "", nil, err
		}
		m = &got
	}
	now := h.DB.Now()
	qt, ver, err := vend.Quote(s.Tariff, paid, m, now)
	var le *tariff.LimitError
	switch {
	case errors.As(err, &le) && errors.Is(err, tariff.ErrBelowMinimum):
		return http.StatusBadRequest, "quote.below", []any{webpage.Amount(le.Limit, le.Currency)}, nil
	case errors.As(err, &le):
		return http.StatusBadRequest, "quote.above", []any{webpage.Amount(le.Limit, le.Currency)}, nil
	case errors.Is(err, tariff.ErrNoVersion):
		return http.StatusConflict, "quote.noversion", nil, nil
	case err != nil:
		return 0, "", nil, err
	}
	r := &quoteResult{From: day(ver.EffectiveFrom), Currency: s.Tariff.Currency, Quote: qt, TokenKWh: tariff.KWhText(qt.TokenTenths * 100), Meter: m}
	if m != nil {
		r.MonthKWh = tariff.KWhText(vend.PriceInput(*m, paid, now).MonthEnergy)
	}
	d.Result = r
	return http.StatusOK, "", nil, nil
}
