package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

type paymentJSON struct {
	ID         string     `json:"id"`
	Provider   string     `json:"provider"`
	Receipt    string     `json:"receipt"`
	Amount     amountJSON `json:"amount"`
	Payer      string     `json:"payer"` // masked
	AccountRef string     `json:"account_ref"`
	Meter      string     `json:"meter,omitempty"`
	State      string     `json:"state"`
	Reason     string     `json:"reason,omitempty"`
	PaidAt     time.Time  `json:"paid_at"`
	ReceivedAt time.Time  `json:"received_at"`
	VendID     string     `json:"vend_id,omitempty"`
}

func paymentView(p payment.Payment) paymentJSON {
	payer := p.Payer
	if !phone.IsHash(payer) && !phone.IsMasked(payer) && payer != "" {
		payer = phone.Mask(payer)
	}
	return paymentJSON{ID: p.ID, Provider: p.Provider, Receipt: p.Receipt, Amount: amount(p.Amount, p.Currency), Payer: payer,
		AccountRef: p.AccountRef, Meter: p.MeterDRN, State: p.State, Reason: p.Reason, PaidAt: p.PaidAt, ReceivedAt: p.ReceivedAt}
}

func (h *Handler) paymentList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := payment.Filter{State: q.Get("state"), MeterDRN: customer.NormalizeNumber(q.Get("meter"))}
	switch f.State {
	case "", payment.Received, payment.Applied, payment.Suspense, payment.Reversed:
	default:
		return invalid("state %q: want received, applied, suspense or reversed", f.State)
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return invalid("limit %q: want 1-500", s)
		}
		f.Limit = n
	}
	return h.writePayments(w, r, f)
}

// writePayments answers with the payments f selects.
func (h *Handler) writePayments(w http.ResponseWriter, r *http.Request, f payment.Filter) error {
	ps, err := payment.List(r.Context(), h.DB.Read(), f)
	if err != nil {
		return err
	}
	out := []paymentJSON{}
	for _, p := range ps {
		out = append(out, paymentView(p))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"payments": out})
}

func (h *Handler) paymentGet(w http.ResponseWriter, r *http.Request) error {
	receipt, err := payment.NormalizeReceipt(r.PathValue("receipt"))
	if err != nil {
		return invalid("%v", err)
	}
	p, err := payment.ByReceipt(r.Context(), h.DB.Read(), receipt)
	if err != nil {
		return err
	}
	out := paymentView(p)
	if v, err := vend.ByPayment(r.Context(), h.DB.Read(), p.ID); err == nil {
		out.VendID = v.ID
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

type reverseRequest struct {
	Reason string `json:"reason"`
}

// paymentReverse records that M-Pesa reversed a payment. A payment in
// suspense ends reversed; an applied one too, and its amount becomes debt on
// the meter, since its token may already be in the meter.
func (h *Handler) paymentReverse(w http.ResponseWriter, r *http.Request) error {
	receipt, err := payment.NormalizeReceipt(r.PathValue("receipt"))
	if err != nil {
		return invalid("%v", err)
	}
	var req reverseRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Reason == "" {
		return invalid("reason: required")
	}
	p, err := payment.Reverse(r.Context(), h.DB, receipt, principal(r).String(), req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, paymentView(p))
}

func (h *Handler) suspenseList(w http.ResponseWriter, r *http.Request) error {
	return h.writePayments(w, r, payment.Filter{State: payment.Suspense, Limit: 500})
}

type assignRequest struct {
	Meter string `json:"meter"`
}

func (h *Handler) suspenseAssign(w http.ResponseWriter, r *http.Request) error {
	var req assignRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	drn := customer.NormalizeNumber(req.Meter)
	if drn == "" {
		return invalid("meter: required")
	}
	p, err := payment.Assign(r.Context(), h.DB, r.PathValue("id"), drn, principal(r).String())
	if err != nil {
		return err
	}
	h.Intake.Wake()
	return writeJSON(w, http.StatusOK, paymentView(p))
}

type refundRequest struct {
	Reason string `json:"reason"`
}

func (h *Handler) suspenseRefund(w http.ResponseWriter, r *http.Request) error {
	var req refundRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Reason == "" {
		return invalid("reason: required")
	}
	p, err := payment.Refund(r.Context(), h.DB, r.PathValue("id"), principal(r).String(), req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, paymentView(p))
}

type purchaseRequest struct {
	Meter  string `json:"meter"`
	Phone  string `json:"phone"`
	Amount int64  `json:"amount"` // whole shillings
}

// purchase starts an STK push: the customer approves on their phone, and the
// callback becomes a payment and a token.
func (h *Handler) purchase(w http.ResponseWriter, r *http.Request) error {
	if h.STK == nil {
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "M-Pesa STK push is not configured"}
	}
	var req purchaseRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	amt, err := purchaseAmount(req.Amount)
	if err != nil {
		return err
	}
	if _, err := phone.Normalize(req.Phone); err != nil {
		return invalid("phone: %v", err)
	}
	s, err := h.STK.Start(r.Context(), req.Phone, req.Meter, amt, "api")
	var le *payment.LimitError
	switch {
	case errors.As(err, &le):
		return invalid("%v", err)
	case errors.Is(err, payment.ErrMeterNotPayable):
		return invalid("%v", err)
	case err != nil:
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]any{"checkout_request_id": s.CheckoutRequestID, "state": s.State,
		"message": "Approve the M-Pesa prompt on your phone; the token follows by SMS and on every channel."})
}

// purchaseAmount checks an amount of whole shillings from a request body:
// more than 0, and small enough to hold in cents.
func purchaseAmount(shillings int64) (money.Amount, error) {
	if shillings <= 0 {
		return 0, invalid("amount %d: want whole shillings, more than 0", shillings)
	}
	a, err := money.FromMajor(shillings)
	if err != nil {
		return 0, invalid("amount %d: too large (at most %d whole shillings)", shillings, int64(money.MaxMajor))
	}
	return a, nil
}
