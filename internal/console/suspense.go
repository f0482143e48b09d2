package console

import (
	"net/http"
	"net/url"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
)

type suspenseData struct {
	Payments             []payment.Payment
	Now                  time.Time
	CanAssign, CanRefund bool
}

// suspense lists the payments waiting for staff, oldest first, with why
// each waits; care and finance match one to its meter, finance refunds.
func (h *Handler) suspense(w http.ResponseWriter, v *visit) error {
	ps, err := payment.List(v.r.Context(), h.DB.Read(), payment.Filter{State: payment.Suspense, Limit: 500})
	if err != nil {
		return err
	}
	role := v.user().Role
	if Masks(role) { // a customer may type their phone number as the account
		for i := range ps {
			ps[i].AccountRef, ps[i].Reason = maskDetail("", ps[i].AccountRef), maskDetail("", ps[i].Reason)
		}
	}
	d := suspenseData{Payments: ps, Now: time.Now(), CanAssign: Allows(careOrFinance, role), CanRefund: Allows(financeRoles, role)}
	p := h.page(v, "suspense.title", d)
	switch v.r.URL.Query().Get("done") {
	case "assigned":
		p.Notice = t(v.lang, "suspense.assigned")
	case "refunded":
		p.Notice = t(v.lang, "suspense.refunded")
	case "reversed":
		p.Notice = t(v.lang, "payment.reversed")
	}
	return h.render(w, v, http.StatusOK, "suspense", p)
}

// assign matches a suspense payment to a meter; it is then vended.
func (h *Handler) assign(w http.ResponseWriter, v *visit) error {
	drn, err := formValue(v, "meter")
	if err != nil {
		return err
	}
	if drn = customer.NormalizeNumber(drn); drn == "" {
		return &pageError{Status: http.StatusBadRequest, Key: "suspense.needmeter"}
	}
	if _, err := payment.Assign(v.r.Context(), h.DB, v.r.PathValue("id"), drn, v.user().Actor()); err != nil {
		return err
	}
	if h.Services.OnReceived != nil {
		h.Services.OnReceived()
	}
	return redirect(w, v, "/staff/suspense?done=assigned")
}

// refund gives a suspense payment's money back (the M-Pesa reversal itself
// is made in M-Pesa's portal); a reason is required.
func (h *Handler) refund(w http.ResponseWriter, v *visit) error {
	reason, err := formValue(v, "reason")
	if err != nil {
		return err
	}
	if len(reason) < 5 {
		return &pageError{Status: http.StatusBadRequest, Key: "reason.needed"}
	}
	if _, err := payment.Refund(v.r.Context(), h.DB, v.r.PathValue("id"), v.user().Actor(), reason); err != nil {
		return err
	}
	return redirect(w, v, "/staff/suspense?done=refunded")
}

// reverse records that M-Pesa reversed a payment: a vended one becomes
// debt on its meter. A reason is required.
func (h *Handler) reverse(w http.ResponseWriter, v *visit) error {
	reason, err := formValue(v, "reason")
	if err != nil {
		return err
	}
	if len(reason) < 5 {
		return &pageError{Status: http.StatusBadRequest, Key: "reason.needed"}
	}
	p, err := payment.Reverse(v.r.Context(), h.DB, v.r.PathValue("receipt"), v.user().Actor(), reason)
	if err != nil {
		return err
	}
	if p.MeterDRN != "" {
		return redirect(w, v, "/staff/meters/"+url.PathEscape(p.MeterDRN))
	}
	return redirect(w, v, "/staff/suspense?done=reversed")
}
