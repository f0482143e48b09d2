package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/vend"
)

// resend sends a meter's last tokens again by SMS: to its registered
// phones, or to another number with a reason, which the audit log keeps.
func (h *Handler) resend(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	drn := customer.NormalizeNumber(v.r.PathValue("drn"))
	m, err := customer.GetMeter(ctx, h.DB.Read(), drn)
	if err != nil {
		return err
	}
	raw, err := formValue(v, "phone")
	if err != nil {
		return err
	}
	reason := v.r.PostFormValue("reason")
	to := vend.ResendTo{Actor: v.user().Actor(), Reason: reason}
	if raw != "" {
		n, err := phone.Normalize(raw)
		if err != nil {
			return &pageError{Status: http.StatusBadRequest, Key: "resend.badphone", cause: err}
		}
		to.Phone, to.AnyPhone = n, true
		own, err := customer.IsPhoneOf(ctx, h.DB.Read(), n, drn)
		if err != nil {
			return err
		}
		if !own && len(reason) < 5 {
			return &pageError{Status: http.StatusBadRequest, Key: "resend.needreason"}
		}
	}
	if _, err := vend.Resend(ctx, h.DB, h.Utility, drn, to, 3); err != nil {
		if errors.Is(err, vend.ErrNoPhone) {
			return &pageError{Status: http.StatusConflict, Key: "resend.nophone"}
		}
		return err
	}
	if h.Services.OnMessages != nil {
		h.Services.OnMessages()
	}
	back := "/staff/meters/" + url.PathEscape(drn)
	if m.CustomerID != "" {
		back = "/staff/customers/" + url.PathEscape(m.CustomerID)
	}
	return redirect(w, v, back+"?done=resent")
}
