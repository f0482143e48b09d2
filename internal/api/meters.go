package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

type meterJSON struct {
	DRN       string     `json:"drn"`
	Owner     string     `json:"owner"` // masked unless the caller is care or finance
	Status    string     `json:"status"`
	Tariff    string     `json:"tariff"`
	Debt      amountJSON `json:"debt"`
	Area      string     `json:"area,omitempty"`
	KeyChange bool       `json:"key_change_pending"`
}

func (h *Handler) meterGet(w http.ResponseWriter, r *http.Request) error {
	drn := customer.NormalizeNumber(r.PathValue("drn"))
	m, err := customer.GetMeter(r.Context(), h.DB.Read(), drn)
	if err != nil {
		return err
	}
	name, err := customer.OwnerName(r.Context(), h.DB.Read(), drn)
	if err != nil {
		return err
	}
	p := principal(r)
	if p.Can(staff.RoleCare, staff.RoleFinance) {
		if err := h.audit(r, "meter.read", drn, ""); err != nil {
			return err
		}
	} else {
		name = customer.MaskName(name)
	}
	return writeJSON(w, http.StatusOK, meterJSON{DRN: m.DRN, Owner: name, Status: m.Status, Tariff: m.TariffID, Debt: amount(m.Debt, ""),
		Area: m.Area, KeyChange: m.PendingKey != ""})
}

type tokenJSON struct {
	Kind    string `json:"kind"`
	Token   string `json:"token,omitempty"`   // 20 digits; absent for staff who may not see them
	Display string `json:"display,omitempty"` // 4-4-4-4-4; likewise
	TID     int64  `json:"tid,omitempty"`
	Tenths  int64  `json:"tenths_kwh,omitempty"`
}

type lineJSON struct {
	Code    string     `json:"code"`
	Label   string     `json:"label"`
	LabelSW string     `json:"label_sw"`
	Amount  amountJSON `json:"amount"`
}

type vendJSON struct {
	ID      string      `json:"id"`
	Receipt string      `json:"receipt"`
	Meter   string      `json:"meter"`
	At      time.Time   `json:"at"`
	Amount  amountJSON  `json:"amount"`
	Units   string      `json:"units_kwh"`
	Tariff  string      `json:"tariff"`
	Version string      `json:"tariff_version"`
	Tokens  []tokenJSON `json:"tokens"`
	Lines   []lineJSON  `json:"receipt_lines"`
	// Compensation the charter owed, given as energy on top of Amount: the
	// lines add up to both.
	Compensation *amountJSON `json:"compensation,omitempty"`
}

func vendView(v vend.Vend) vendJSON {
	out := vendJSON{ID: v.ID, Receipt: v.Receipt, Meter: v.MeterDRN, At: v.CreatedAt, Amount: amount(v.Amount, v.Quote.Currency),
		Units: v.Quote.Units, Tariff: v.TariffID, Version: v.TariffVersion, Tokens: []tokenJSON{}, Lines: []lineJSON{}}
	if v.Compensation > 0 {
		c := amount(v.Compensation, v.Quote.Currency)
		out.Compensation = &c
	}
	for _, t := range v.Tokens {
		out.Tokens = append(out.Tokens, tokenJSON{Kind: t.Kind, Token: t.Digits, Display: t.Grouped(), TID: t.TID, Tenths: t.Tenths})
	}
	for _, l := range v.Quote.Lines {
		out.Lines = append(out.Lines, lineJSON{Code: l.Code, Label: l.Label, LabelSW: l.LabelSW, Amount: amount(l.Amount, v.Quote.Currency)})
	}
	return out
}

// staffVendView is vendView for a staff caller: without the token digits
// unless the caller's role sees them.
func staffVendView(p staff.Principal, v vend.Vend) vendJSON {
	out := vendView(v)
	if !p.SeesTokens() {
		for i := range out.Tokens {
			out.Tokens[i].Token, out.Tokens[i].Display = "", ""
		}
	}
	return out
}

func (h *Handler) meterVends(w http.ResponseWriter, r *http.Request) error {
	drn := customer.NormalizeNumber(r.PathValue("drn"))
	if _, err := customer.GetMeter(r.Context(), h.DB.Read(), drn); err != nil {
		return err
	}
	limit := 10
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return invalid("limit %q: want 1-100", s)
		}
		limit = n
	}
	vs, err := vend.ForMeter(r.Context(), h.DB.Read(), drn, limit)
	if err != nil {
		return err
	}
	out := []vendJSON{}
	for _, v := range vs {
		out = append(out, staffVendView(principal(r), v))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"vends": out})
}

func (h *Handler) vendGet(w http.ResponseWriter, r *http.Request) error {
	v, err := vend.Get(r.Context(), h.DB.Read(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, staffVendView(principal(r), v))
}

type resendRequest struct {
	Phone string `json:"phone"` // optional: default every registered phone
	Count int    `json:"count"` // vends to include, 1-5, default 3
	// Reason is required from care to send to a phone not registered for
	// the meter; it goes into the audit log.
	Reason string `json:"reason"`
}

// maxReason bounds a reason kept in the audit log.
const maxReason = 500

// meterResend texts a meter's last tokens again. Integrations and agents
// may send them only to the meter's registered phones: anyone else's
// phone would get a token to type into someone else's meter. Care may
// name another number, for a customer who lost their phone, with a reason
// for the audit log.
func (h *Handler) meterResend(w http.ResponseWriter, r *http.Request) error {
	var req resendRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &req); err != nil {
			return err
		}
	}
	if req.Count < 0 || req.Count > 5 {
		return invalid("count %d: want 1-5", req.Count)
	}
	reason := strings.TrimSpace(req.Reason)
	if len(reason) > maxReason {
		return invalid("reason: at most %d bytes, got %d", maxReason, len(reason))
	}
	p := principal(r)
	to := vend.ResendTo{Actor: p.String(), Reason: reason, AnyPhone: p.Can(staff.RoleCare) && reason != ""}
	if req.Phone != "" {
		n, err := phone.Normalize(req.Phone)
		if err != nil {
			return invalid("phone: %v", err)
		}
		to.Phone = n
	}
	drn := customer.NormalizeNumber(r.PathValue("drn"))
	if _, err := customer.GetMeter(r.Context(), h.DB.Read(), drn); err != nil {
		return err
	}
	n, err := vend.Resend(r.Context(), h.DB, h.Utility, drn, to, req.Count)
	switch {
	case errors.Is(err, vend.ErrNotRegistered) && p.Can(staff.RoleCare):
		return invalid("reason: required to send to %s, which is not registered for meter %s", to.Phone, drn)
	case errors.Is(err, vend.ErrNotRegistered):
		return &Error{Status: http.StatusForbidden, Code: "forbidden",
			Message: fmt.Sprintf("role %s may re-send only to the phones registered for meter %s: name one of them, or leave phone out to send to all", p.Role, drn)}
	case errors.Is(err, vend.ErrNoPhone):
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: err.Error()}
	case err != nil:
		return err
	}
	if h.OnMessages != nil {
		h.OnMessages()
	}
	return writeJSON(w, http.StatusAccepted, map[string]any{"queued": n})
}

func (h *Handler) audit(r *http.Request, action, subject, detail string) error {
	return h.DB.InTx(r.Context(), func(tx *store.Tx) error {
		return payment.Audit(tx, principal(r).String(), action, subject, detail)
	})
}
