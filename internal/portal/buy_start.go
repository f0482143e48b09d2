package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/webpage"
)

// buyStart sends the M-Pesa prompt (STK push) to the customer's phone and
// shows the purchase's page, which waits for the payment and its token.
func (h *Handler) buyStart(w http.ResponseWriter, v *visit) error {
	d, err := h.buyData(v, v.r.PostFormValue("meter"))
	if err != nil {
		return err
	}
	d.Other = strings.TrimSpace(v.r.PostFormValue("other"))
	d.Amount = strings.TrimSpace(v.r.PostFormValue("amount"))
	refuse := func(status int, key string, args ...any) error {
		p := v.page("buy.title", d)
		p.Nav, p.Err = "buy", t(v.lang, key, args...)
		return h.render(w, v, status, "buy", p)
	}
	if h.STK == nil {
		return refuse(http.StatusServiceUnavailable, "err.nompesa")
	}
	drn := d.Meter
	if d.Other != "" {
		drn = customer.NormalizeNumber(d.Other)
	}
	if drn == "" {
		return refuse(http.StatusBadRequest, "err.meter")
	}
	amt, err := money.Parse(strings.TrimPrefix(strings.ToUpper(d.Amount), "KES"))
	if err != nil || amt <= 0 || !amt.IsWhole() {
		return refuse(http.StatusBadRequest, "err.amount")
	}
	if err := take(h.limits.buy, v.session.ID); err != nil {
		return err
	}
	req, err := h.STK.Start(v.r.Context(), v.session.MSISDN, drn, amt, "web")
	var le *payment.LimitError
	switch {
	case errors.As(err, &le):
		return refuse(http.StatusBadRequest, "err.limits", webpage.Amount(le.Min, ""), webpage.Amount(le.Max, ""))
	case errors.Is(err, payment.ErrMeterNotPayable):
		return refuse(http.StatusBadRequest, "err.meter")
	case !errors.Is(err, payment.ErrPush) && store.Unavailable(err):
		return err // the error page says: try again in a minute
	case err != nil:
		h.Log.Warn("portal: stk push", "meter", drn, "err", err)
		return refuse(http.StatusBadGateway, "err.mpesa")
	}
	return redirect(w, v, "/buy/"+url.PathEscape(req.CheckoutRequestID))
}
