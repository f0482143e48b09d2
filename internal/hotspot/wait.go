package hotspot

import (
	"errors"
	"net/http"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"time"
)

type waitData struct {
	STK      payment.STKRequest
	Plan     string
	Username string
	Password string // shown once the bundle is active
	Login    string // the password field the router's form sends (CHAP or PAP)
}

// refreshEvery is how often the wait page reloads itself while the
// customer approves the prompt: a page of a few KB each time.
const refreshEvery = 3

// wait follows the purchase in the browser's ticket: it reloads itself
// while the prompt waits for the PIN and while the bundle starts, then
// shows the account and a button that logs in to the router.
func (h *Handler) wait(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	tk, ok := h.readTicket(v.r, time.Now())
	if !ok {
		return h.showCaptive(w, v, http.StatusBadRequest, captiveData{}, "err.ticket")
	}
	r, err := payment.GetSTK(ctx, h.DB.Read(), tk.Checkout)
	if err != nil {
		return err
	}
	d := waitData{STK: r, Username: tk.Username}
	p := h.page(v, "wait.title", &d)
	switch r.State {
	case payment.STKFailed:
		return h.render(w, http.StatusOK, "wait", p)
	case payment.STKPending:
		p.Refresh = refreshEvery
		return h.render(w, http.StatusOK, "wait", p)
	}
	to, err := h.ISP.ByUsername(ctx, tk.Username)
	if err != nil {
		return err
	}
	u, err := h.ISP.UsageOf(ctx, to.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if u.State != isp.Active {
		// Paid; the applier starts the bundle within a second.
		p.Refresh = 1
		return h.render(w, http.StatusOK, "wait", p)
	}
	d.Plan, d.Password, d.Login = u.Plan, tk.Password, v.router.password(tk.Password)
	p.Title, p.postTo = t(v.lang, "done.title"), v.router.origin()
	return h.render(w, http.StatusOK, "done", p)
}
