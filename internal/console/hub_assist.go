package console

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/hub"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/vend"
)

// hubConsent sends a consent code to the phone the walk-in customer gives.
// Whether the number is a customer's or not, the answer is the same: the
// attendant learns nothing about a phone without its code.
func (h *Handler) hubConsent(w http.ResponseWriter, v *visit) error {
	hb, err := h.myHub(v)
	if err != nil {
		return err
	}
	if h.Services.Login == nil {
		return errNoAssist
	}
	raw, err := formValue(v, "phone")
	if err != nil {
		return err
	}
	msisdn, err := h.Services.Login.RequestConsent(v.r.Context(), raw, clientAddress(v.r), v.user().ID, v.user().Username, hb.Name)
	var rl *login.RateLimitError
	switch {
	case errors.Is(err, login.ErrBadPhone):
		return h.hubScreen(w, v, http.StatusBadRequest, "", "resend.badphone")
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", retryAfter(rl))
		return h.hubScreen(w, v, http.StatusTooManyRequests, "", "hub.wait")
	case err != nil:
		return err
	}
	if err := h.audit(v, "hub.consent.ask", phone.Mask(msisdn), hb.Name); err != nil {
		return err
	}
	return h.hubScreen(w, v, http.StatusOK, msisdn, "")
}

// hubAssist checks the code the customer reads out and opens the assisted
// session, carried in this browser as the portal's session cookie.
func (h *Handler) hubAssist(w http.ResponseWriter, v *visit) error {
	hb, err := h.myHub(v)
	if err != nil {
		return err
	}
	if h.Services.Login == nil {
		return errNoAssist
	}
	raw, err := formValue(v, "phone")
	if err != nil {
		return err
	}
	code, _ := formValue(v, "code")
	s, token, err := h.Services.Login.VerifyConsent(v.r.Context(), raw, code, clientAddress(v.r), v.user().ID, hb.ID)
	var rl *login.RateLimitError
	switch {
	case errors.Is(err, login.ErrBadPhone):
		return h.hubScreen(w, v, http.StatusBadRequest, "", "resend.badphone")
	case errors.Is(err, login.ErrBadCode):
		msisdn, _ := phone.Normalize(raw)
		return h.hubScreen(w, v, http.StatusBadRequest, msisdn, "hub.badcode")
	case errors.Is(err, login.ErrCodeSpent):
		return h.hubScreen(w, v, http.StatusBadRequest, "", "hub.spent")
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", retryAfter(rl))
		return h.hubScreen(w, v, http.StatusTooManyRequests, "", "hub.wait")
	case err != nil:
		return err
	}
	if err := h.audit(v, "hub.assist.open", "assisted:"+s.ID, phone.Mask(s.MSISDN)+" at "+hb.Name); err != nil {
		return err
	}
	h.Services.Customers.Set(w, token, s.ExpiresAt)
	return redirect(w, v, "/staff/hub?done=assist")
}

// hubEnd ends the assisted session: the customer is served.
func (h *Handler) hubEnd(w http.ResponseWriter, v *visit) error {
	hb, err := h.myHub(v)
	if err != nil {
		return err
	}
	if s, tok := h.assisted(v, hb); s != nil {
		if err := h.Services.Login.EndAssisted(v.r.Context(), tok, v.user().ID); err != nil {
			return err
		}
		if err := h.audit(v, "hub.assist.end", "assisted:"+s.ID, phone.Mask(s.MSISDN)+" at "+hb.Name); err != nil {
			return err
		}
	}
	h.Services.Customers.Clear(w)
	return redirect(w, v, "/staff/hub?done=ended")
}

// consented returns the attendant's live assisted session, or errNoAssist.
func (h *Handler) consented(v *visit) (hub.Hub, *login.Session, error) {
	hb, err := h.myHub(v)
	if err != nil {
		return hb, nil, err
	}
	s, _ := h.assisted(v, hb)
	if s == nil {
		return hb, nil, errNoAssist
	}
	return hb, s, nil
}

// hubResend texts a meter's last tokens again to the consented phone, as
// the customer could from the portal: only a meter registered to it.
func (h *Handler) hubResend(w http.ResponseWriter, v *visit) error {
	hb, s, err := h.consented(v)
	if err != nil {
		return err
	}
	ctx := v.r.Context()
	drn := customer.NormalizeNumber(v.r.PathValue("drn"))
	if ok, err := customer.IsPhoneOf(ctx, h.DB.Read(), s.MSISDN, drn); err != nil || !ok {
		return &pageError{Status: http.StatusNotFound, Key: "error.notfound", cause: err}
	}
	_, err = vend.Resend(ctx, h.DB, h.Utility, drn, vend.ResendTo{Phone: s.MSISDN, Actor: v.user().Actor(), Reason: "at hub " + hb.Name + ", assisted:" + s.ID}, 3)
	if err != nil {
		return err
	}
	if h.Services.OnMessages != nil {
		h.Services.OnMessages()
	}
	return redirect(w, v, "/staff/hub?done=resent")
}

// hubPrint is one token on a slip to print or read out: only a token of
// the consented customer's latest purchases.
func (h *Handler) hubPrint(w http.ResponseWriter, v *visit) error {
	hb, s, err := h.consented(v)
	if err != nil {
		return err
	}
	a, err := hub.Lookup(v.r.Context(), h.DB, s.MSISDN, h.DB.Now())
	if err != nil {
		return err
	}
	for _, pu := range a.Purchases {
		if pu.Vend != nil && pu.Vend.ID == v.r.PathValue("id") {
			if err := h.audit(v, "hub.print", "assisted:"+s.ID, pu.Vend.ID+" at "+hb.Name); err != nil {
				return err
			}
			return h.render(w, v, http.StatusOK, "hub_print", h.page(v, "hub.print.title", pu, pu.Vend.MeterDRN))
		}
	}
	return &pageError{Status: http.StatusNotFound, Key: "error.notfound"}
}

// retryAfter is a Retry-After header's seconds, at least one.
func retryAfter(rl *login.RateLimitError) string {
	return strconv.Itoa(int(max(rl.RetryAfter, time.Second) / time.Second))
}

// endAssistAtSignOut ends the assisted session an attendant signing out
// still holds in this browser, so that it does not wait there for their
// next sign-in. Anything else in the portal's cookie is left alone.
func (h *Handler) endAssistAtSignOut(w http.ResponseWriter, v *visit) error {
	if h.Services.Login == nil || v.session == nil || v.user().Role != staff.RoleHub {
		return nil
	}
	tok := h.Services.Customers.Token(v.r)
	if tok == "" {
		return nil
	}
	s, err := h.Services.Login.AuthenticateAssisted(v.r.Context(), tok)
	if err != nil || s.AssistedBy != v.user().ID {
		return nil
	}
	if err := h.Services.Login.EndAssisted(v.r.Context(), tok, v.user().ID); err != nil {
		return err
	}
	h.Services.Customers.Clear(w)
	return h.audit(v, "hub.assist.end", "assisted:"+s.ID, phone.Mask(s.MSISDN)+" at sign-out")
}
