package hotspot

import (
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/quota"
)

// The prompts the captive page may send, counted in the database so that
// they hold on every node: per phone, so that nobody's phone is flooded
// with prompts by a stranger typing its number; and per client address,
// which behind a hotspot is usually the router's, shared by all its
// customers.
var (
	PromptsPerPhone  = quota.Rule{Name: "hotspot.phone", Max: 5, Per: time.Hour}
	PromptsPerClient = quota.Rule{Name: "hotspot.client", Max: 60, Per: time.Hour}
)

// buy makes a new account for the customer, sends the M-Pesa prompt for
// the bundle chosen to the phone typed, and sends the browser to the wait
// page with the account in its ticket.
//
// Each purchase gets an account of its own, not the phone's existing one:
// whoever types a phone number here sees the password of what was bought,
// and must never see the password of an account that phone already had.
// The phone is not registered to the account either, so that a stranger's
// number typed here adds nothing to that person's accounts; M-Pesa's
// confirmation SMS still goes to the phone that paid.
func (h *Handler) buy(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	d := captiveData{Plan: v.r.PostFormValue("plan"), Phone: strings.TrimSpace(v.r.PostFormValue("phone"))}
	msisdn, err := phone.Normalize(d.Phone)
	if err != nil {
		return h.showCaptive(w, v, http.StatusBadRequest, d, "err.phone")
	}
	plans, err := h.plans(ctx)
	if err != nil {
		return err
	}
	var plan *isp.Plan
	for i := range plans {
		if plans[i].ID == d.Plan {
			plan = &plans[i]
		}
	}
	if plan == nil {
		return h.showCaptive(w, v, http.StatusBadRequest, d, "err.plan")
	}
	if !h.ISP.CanPush() {
		// Checked before an account is made for the purchase: without
		// M-Pesa prompts it would be left with nothing bought.
		return h.showCaptive(w, v, http.StatusServiceUnavailable, d, "err.nompesa")
	}
	if err := quota.Take(ctx, h.DB, PromptsPerPhone.Of(msisdn), PromptsPerClient.Of(peer.Key(v.r))); err != nil {
		return err
	}
	to, password, err := h.newAccount(v)
	if err != nil {
		return err
	}
	req, err := h.ISP.BuyBundle(ctx, msisdn, to.Username, plan.ID, "captive")
	switch {
	case errors.Is(err, isp.ErrNoSTK):
		return h.showCaptive(w, v, http.StatusServiceUnavailable, d, "err.nompesa")
	case err != nil:
		h.Log.Warn("hotspot: stk push", "username", to.Username, "err", err)
		return h.showCaptive(w, v, http.StatusBadGateway, d, "err.mpesa")
	}
	if err := h.setTicket(w, ticket{Checkout: req.CheckoutRequestID, Username: to.Username, Password: password}, time.Now()); err != nil {
		return err
	}
	http.Redirect(w, v.r, "/hotspot/wait?"+v.router.query()+"&lang="+v.lang, http.StatusSeeOther)
	return nil
}

// newAccount makes an account for one purchase: a username a customer can
// type ("wifi" and five letters or digits that cannot be misread) and a
// new password.
func (h *Handler) newAccount(v *visit) (isp.Subscriber, string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	for range 5 {
		b := make([]byte, 5)
		rand.Read(b)
		for i := range b {
			b[i] = alphabet[int(b[i])%len(alphabet)]
		}
		u, pw, err := h.ISP.CreateSubscriber(v.r.Context(), isp.Subscriber{Username: "wifi" + string(b), Language: v.lang}, "")
		if !errors.Is(err, isp.ErrTaken) {
			return u, pw, err
		}
	}
	return isp.Subscriber{}, "", errors.New("hotspot: no free username in 5 draws")
}
