package agentweb

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

// SignInsPerAddress bounds the PIN tries one client address makes, across
// every agent phone, on top of each user's own lock-out.
var SignInsPerAddress = quota.Rule{Name: "agent.signin.addr", Max: 30, Per: time.Hour}

// home is the sign-in form, or for a signed-in agent the outlet's float,
// the sale form, the shift and the latest sales.
func (h *Handler) home(w http.ResponseWriter, v *visit) error {
	if v.user == nil {
		return h.render(w, http.StatusOK, "signin", h.page(v, "signin.title", nil))
	}
	return h.renderHome(w, v, http.StatusOK, "", "")
}

type homeData struct {
	Status agent.Status
	Sales  []agent.Sale
	Key    string // the sale form's idempotency key
	Meter  string
	Amount string
}

func (h *Handler) renderHome(w http.ResponseWriter, v *visit, status int, errKey, meter string, args ...any) error {
	ctx := v.r.Context()
	st, err := agent.StatusOf(ctx, h.DB.Read(), v.user.ID)
	if err != nil {
		return err
	}
	sales, err := agent.SalesOf(ctx, h.DB.Read(), v.user.ID, 10)
	if err != nil {
		return err
	}
	key, err := newKey()
	if err != nil {
		return err
	}
	p := h.page(v, "home.title", homeData{Status: st, Sales: sales, Key: key, Meter: meter})
	p.Outlet = st.Outlet.Name
	if errKey != "" {
		p.Err = t(v.lang, errKey, args...)
	}
	return h.render(w, status, "home", p)
}

func newKey() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "web:" + hex.EncodeToString(b), nil
}

// signIn checks the phone and PIN and starts a session. A wrong PIN and an
// unknown phone get the same answer.
func (h *Handler) signIn(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	var ex *quota.Exceeded
	if err := quota.Take(ctx, h.DB, SignInsPerAddress.Of(login.ClientAddress(v.r))); errors.As(err, &ex) {
		return &pageError{status: http.StatusTooManyRequests, key: "error.too_many"}
	} else if err != nil {
		return err
	}
	f := v.r.PostForm
	msisdn, err := normalizePhone(f.Get("phone"))
	var u agent.User
	if err == nil {
		u, err = h.Agents.SignIn(ctx, msisdn, f.Get("pin"))
	}
	switch {
	case errors.Is(err, agent.ErrLocked):
		return h.signInAgain(w, v, "signin.locked")
	case err != nil && (errors.Is(err, agent.ErrBadPIN) || errors.Is(err, agent.ErrNotAgent) || errors.Is(err, errPhone)):
		return h.signInAgain(w, v, "signin.wrong")
	case err != nil:
		return err
	}
	token, expires, err := h.Agents.StartSession(ctx, u)
	if err != nil {
		return err
	}
	h.cookies().Set(w, token, expires)
	http.Redirect(w, v.r, "/agent/", http.StatusSeeOther)
	return nil
}

func (h *Handler) signInAgain(w http.ResponseWriter, v *visit, key string) error {
	p := h.page(v, "signin.title", nil)
	p.Err = t(v.lang, key)
	return h.render(w, http.StatusUnauthorized, "signin", p)
}

func (h *Handler) signOut(w http.ResponseWriter, v *visit) error {
	if v.token != "" {
		if err := h.Agents.EndSession(v.r.Context(), v.token); err != nil {
			return err
		}
	}
	h.cookies().Clear(w)
	http.Redirect(w, v.r, "/agent/", http.StatusSeeOther)
	return nil
}

// sell makes a cash sale and shows its receipt. The form's key makes a
// form sent twice (a double tap, a reload) one sale.
func (h *Handler) sell(w http.ResponseWriter, v *visit) error {
	f := v.r.PostForm
	amount, err := money.Parse(f.Get("amount"))
	if err != nil || amount <= 0 || !amount.IsWhole() {
		return h.renderHome(w, v, http.StatusBadRequest, "sell.bad_amount", f.Get("meter"))
	}
	sale, err := h.Agents.Sell(v.r.Context(), v.user.ID, agent.SaleRequest{Key: f.Get("key"), MeterDRN: f.Get("meter"), Amount: amount})
	switch {
	case errors.Is(err, agent.ErrNoFloat):
		return h.renderHome(w, v, http.StatusConflict, "sell.no_float", f.Get("meter"))
	case errors.Is(err, agent.ErrMeter):
		return h.renderHome(w, v, http.StatusBadRequest, "sell.no_meter", f.Get("meter"))
	case errors.Is(err, agent.ErrInvalid):
		return h.renderHome(w, v, http.StatusBadRequest, "sell.bad_amount", f.Get("meter"))
	case err != nil:
		return err
	}
	// Wait a moment for the token, so the receipt prints with it.
	deadline := time.Now().Add(h.TokenWait)
	for time.Now().Before(deadline) {
		if _, err := vend.ByPayment(v.r.Context(), h.DB.Read(), sale.PaymentID); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	http.Redirect(w, v.r, "/agent/receipts/"+sale.Receipt, http.StatusSeeOther)
	return nil
}

type receiptData struct {
	Sale   agent.Sale
	Vend   *vend.Vend // nil while the token is on its way
	Outlet string
	Agent  string
}

// receipt shows a sale of the agent's outlet as a 58 mm receipt; printing
// it again is the reprint. Re-sending its token by SMS is on USSD and the
// customer's channels.
func (h *Handler) receipt(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	sale, err := agent.SaleByReceipt(ctx, h.DB.Read(), v.user.OutletID, v.r.PathValue("receipt"))
	if errors.Is(err, store.ErrNotFound) {
		return &pageError{status: http.StatusNotFound, key: "receipt.not_found"}
	}
	if err != nil {
		return err
	}
	st, err := agent.StatusOf(ctx, h.DB.Read(), v.user.ID)
	if err != nil {
		return err
	}
	// Showing a sale shows its customer's token: an agent's read of a
	// customer record, audited like staff's.
	if err := h.Agents.Audit(ctx, v.user.ID, "agent.receipt", "meter:"+sale.MeterDRN, sale.Receipt); err != nil {
		return err
	}
	d := receiptData{Sale: sale, Outlet: st.Outlet.Name, Agent: v.user.Name}
	if vd, err := vend.ByPayment(ctx, h.DB.Read(), sale.PaymentID); err == nil {
		d.Vend = &vd
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	p := h.page(v, "receipt.title", d)
	p.Receipt, p.Outlet = true, st.Outlet.Name
	if v.r.URL.Query().Get("sent") == "1" {
		p.Notice = t(v.lang, "resend.done")
	}
	return h.render(w, http.StatusOK, "receipt", p)
}

// closeShift closes the agent's shift with the cash counted and shows the
// report.
func (h *Handler) closeShift(w http.ResponseWriter, v *visit) error {
	counted, err := money.Parse(v.r.PostForm.Get("counted"))
	if err != nil || counted < 0 {
		return h.renderHome(w, v, http.StatusBadRequest, "shift.bad_count", "")
	}
	sh, err := h.Agents.CloseShift(v.r.Context(), v.user.ID, counted)
	if errors.Is(err, agent.ErrNoShift) {
		return h.renderHome(w, v, http.StatusConflict, "shift.none", "")
	}
	if err != nil {
		return err
	}
	p := h.page(v, "shift.closed_title", sh)
	return h.render(w, http.StatusOK, "closed", p)
}
