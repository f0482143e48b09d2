package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// internetBuy buys a bundle for one of the customer's accounts, or for a
// friend's account (typed), by an M-Pesa prompt to the customer's phone.
// When the customer's own wallet already holds the price, the wallet pays
// and no prompt is sent.
func (h *Handler) internetBuy(w http.ResponseWriter, v *visit) error {
	if h.ISP == nil {
		return notFound()
	}
	ctx := v.r.Context()
	d, err := h.internetData(ctx, v)
	if err != nil {
		return err
	}
	form := v.r.PostForm
	planID := form.Get("plan")
	username := form.Get("username")
	friend := strings.TrimSpace(form.Get("friend"))
	if form.Has("friend") {
		d.Friend, d.FriendPlan, username = friend, planID, friend
		if friend == "" {
			return h.renderInternet(w, v, http.StatusBadRequest, d, t(v.lang, "net.err.friend"), "")
		}
		// Whether a name is an account is no secret (it is an M-Pesa
		// account number), but a session may not list them all.
		if err := take(h.limits.friend, v.session.ID); err != nil {
			return err
		}
	}
	to, err := h.ISP.ByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return h.renderInternet(w, v, http.StatusBadRequest, d, t(v.lang, "net.err.nobody", store.Truncate(isp.NormalizeUsername(username), 20)), "")
	}
	if err != nil {
		return err
	}
	plan, err := h.ISP.GetPlan(ctx, planID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (!plan.Active || plan.Price <= 0) {
		return h.renderInternet(w, v, http.StatusBadRequest, d, t(v.lang, "net.err.plan"), "")
	}
	if err != nil {
		return err
	}
	// Only what would prompt or spend counts against the limit, not a
	// form sent back to be corrected.
	if err := take(h.limits.buy, v.session.ID); err != nil {
		return err
	}
	if to.Balance >= plan.Price {
		// The wallet covers it: M-Pesa is not needed, and only the
		// account's own phones may spend its wallet.
		if contains(to.Phones, v.session.MSISDN) {
			return h.internetFromWallet(w, v, to, plan)
		}
		return h.renderInternet(w, v, http.StatusBadRequest, d, t(v.lang, "net.err.covered", to.Username), "")
	}
	req, err := h.ISP.BuyBundle(ctx, v.session.MSISDN, to.Username, plan.ID, "web")
	switch {
	case errors.Is(err, isp.ErrNoSTK):
		return h.renderInternet(w, v, http.StatusServiceUnavailable, d, t(v.lang, "err.nompesa"), "")
	case err != nil:
		h.Log.Warn("portal: internet stk push", "username", to.Username, "err", err)
		return h.renderInternet(w, v, http.StatusBadGateway, d, t(v.lang, "err.mpesa"), "")
	}
	return redirect(w, v, "/internet/buy/"+url.PathEscape(req.CheckoutRequestID))
}

// internetFromWallet buys plan for one of the customer's accounts from its
// wallet.
func (h *Handler) internetFromWallet(w http.ResponseWriter, v *visit, to isp.Subscriber, plan isp.Plan) error {
	ctx := v.r.Context()
	_, err := h.ISP.Buy(ctx, to.ID, to.Username, plan.ID, "portal:"+v.session.MSISDN)
	if err != nil && !errors.Is(err, isp.ErrFunds) && !errors.Is(err, isp.ErrState) && !errors.Is(err, isp.ErrPlanShut) {
		return err
	}
	d, derr := h.internetData(ctx, v)
	if derr != nil {
		return derr
	}
	if err != nil {
		return h.renderInternet(w, v, http.StatusConflict, d, t(v.lang, "net.err.wallet"), "")
	}
	if h.OnMessages != nil {
		h.OnMessages()
	}
	return h.renderInternet(w, v, http.StatusOK, d, "", t(v.lang, "net.wallet.bought", plan.Name, to.Username))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// internetStatus shows an internet purchase by M-Pesa: waiting for the
// customer's PIN, failed, or paid. It works without JavaScript: the
// customer refreshes.
func (h *Handler) internetStatus(w http.ResponseWriter, v *visit) error {
	if h.ISP == nil {
		return notFound()
	}
	r, err := payment.GetSTK(v.r.Context(), h.DB.Read(), v.r.PathValue("checkout"))
	if err != nil {
		return err
	}
	if r.MSISDN != v.session.MSISDN || r.Service != payment.Internet {
		return notFound()
	}
	p := v.page("net.title", r)
	p.Nav = "internet"
	return h.render(w, v, http.StatusOK, "internet_status", p)
}
