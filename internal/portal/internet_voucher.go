package portal

import (
	"errors"
	"net/http"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
)

// internetVoucher redeems a voucher for one of the customer's accounts.
// The codes a phone may try are limited as on SMS and USSD (isp's
// VoucherTries, counted in the database, shared with those channels), so
// that the portal is no faster way to guess them.
func (h *Handler) internetVoucher(w http.ResponseWriter, v *visit) error {
	if h.ISP == nil {
		return notFound()
	}
	ctx := v.r.Context()
	to, err := h.myAccount(ctx, v, v.r.PostFormValue("username"))
	if err != nil {
		return err
	}
	code := v.r.PostFormValue("code")
	if err := quota.Take(ctx, h.DB, isp.VoucherTries.Of(v.session.MSISDN)); err != nil {
		return err
	}
	_, err = h.ISP.Redeem(ctx, code, to.Username, "web:"+v.session.MSISDN)
	key, notice, status := "", "", http.StatusBadRequest
	switch {
	case err == nil:
		notice, status = t(v.lang, "net.voucher.ok", to.Username), http.StatusOK
		if h.OnMessages != nil {
			h.OnMessages()
		}
	case errors.Is(err, isp.ErrVoucher):
		key = "net.voucher.bad"
	case errors.Is(err, isp.ErrUsed):
		key = "net.voucher.used"
	case errors.Is(err, isp.ErrExpired):
		key = "net.voucher.expired"
	case errors.Is(err, isp.ErrPlanShut), errors.Is(err, store.ErrNotFound):
		key = "net.voucher.bad"
	default:
		return err
	}
	d, err := h.internetData(ctx, v)
	if err != nil {
		return err
	}
	if key != "" {
		key = t(v.lang, key)
	}
	return h.renderInternet(w, v, status, d, key, notice)
}
