package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

type paidData struct {
	Meters  []customer.Meter
	Meter   string
	Receipt string
	Result  *paidResult
}

type paidResult struct {
	Message string
	Vend    *vend.Vend
	Amounts bool // the visitor paid, or the meter is theirs: show what was bought
	Retry   bool // the answer may change: offer a refresh
}

// paid finds the token of a payment the customer made but never got a
// token for, by its M-Pesa receipt code. When Mteja never heard of the
// payment it asks M-Pesa (at most once a minute per code), and the customer
// refreshes. It is a GET form, so that refreshing repeats the look-up.
//
// Whoever holds the receipt code may see its token, which works only in the
// meter it was made for; the amount and what it bought are shown only to
// the payer and the meter's own phones. The meter chosen here is recorded
// with the question, never used to credit a payment M-Pesa reveals.
func (h *Handler) paid(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	q := v.r.URL.Query()
	ms, err := h.myMeters(ctx, v)
	if err != nil {
		return err
	}
	d := paidData{Meters: ms, Receipt: strings.TrimSpace(q.Get("receipt"))}
	d.Meter = customer.NormalizeNumber(q.Get("meter"))
	if d.Meter == "" && len(ms) > 0 {
		d.Meter = ms[0].DRN
	}
	p := v.page("paid.title", &d)
	p.Nav = "paid"
	if d.Receipt == "" {
		return h.render(w, v, http.StatusOK, "paid", p)
	}
	code, err := payment.NormalizeReceipt(d.Receipt)
	if err != nil {
		p.Err = t(v.lang, "err.receipt")
		return h.render(w, v, http.StatusBadRequest, "paid", p)
	}
	d.Receipt = code
	if err := take(h.limits.paid, v.session.ID); err != nil {
		return err
	}
	rc := h.Recovery
	if rc == nil {
		rc = &payment.Recovery{DB: h.DB}
	}
	lk, err := rc.Find(ctx, code, payment.Asker{MSISDN: v.session.MSISDN, Meter: d.Meter, Channel: "web", Address: login.ClientAddress(v.r)})
	if err != nil {
		return err
	}
	if d.Result, err = h.paidResult(v, code, lk); err != nil {
		return err
	}
	return h.render(w, v, http.StatusOK, "paid", p)
}

func (h *Handler) paidResult(v *visit, code string, lk payment.Lookup) (*paidResult, error) {
	pm := lk.Payment
	switch {
	case pm == nil && lk.Asked:
		return &paidResult{Message: t(v.lang, "paid.pending", code), Retry: true}, nil
	case pm == nil:
		return &paidResult{Message: t(v.lang, "paid.notfound", code)}, nil
	case pm.State == payment.Suspense:
		return &paidResult{Message: t(v.lang, "paid.suspense", code)}, nil
	case pm.State == payment.Reversed:
		return &paidResult{Message: t(v.lang, "paid.reversed", code)}, nil
	}
	vd, err := vend.ByPayment(v.r.Context(), h.DB.Read(), pm.ID)
	if errors.Is(err, store.ErrNotFound) {
		return &paidResult{Message: t(v.lang, "paid.processing", code), Retry: true}, nil
	}
	if err != nil {
		return nil, err
	}
	return &paidResult{Message: t(v.lang, "paid.found", code, vd.MeterDRN), Vend: &vd, Amounts: lk.Rightful}, nil
}
