package portal

import (
	"errors"
	"net/http"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

type buyStatus struct {
	State   string // pending, failed, paid
	Amount  money.Amount
	Meter   string
	Reason  string     // why it failed, as M-Pesa says
	Receipt string     // when paid
	Vend    *vend.Vend // when the token is made
}

// buyStatus shows a purchase: waiting for the customer to approve the
// prompt, failed, or paid with its token. The customer refreshes it; it
// works without JavaScript.
func (h *Handler) buyStatus(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	r, err := payment.GetSTK(ctx, h.DB.Read(), v.r.PathValue("checkout"))
	if err != nil {
		return err
	}
	if r.MSISDN != v.session.MSISDN {
		return notFound()
	}
	d := buyStatus{State: r.State, Amount: r.Amount, Meter: r.MeterDRN, Reason: r.ResultDesc, Receipt: r.Receipt}
	if r.State == payment.STKPaid && r.Receipt != "" {
		vd, err := vend.ByReceipt(ctx, h.DB.Read(), r.Receipt)
		switch {
		case err == nil:
			d.Vend = &vd
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	p := v.page("buy.title", d)
	p.Nav = "buy"
	return h.render(w, v, http.StatusOK, "buy_status", p)
}
