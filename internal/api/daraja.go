package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// daraja guards a callback: the secret path segment must match and the
// caller must come from an allowed network. A stranger gets a plain 404, so
// the path cannot be probed. Bodies are read whole (size-limited) first so
// that a malformed one is a 400 with a reason, never a 500.
func (h *Handler) daraja(fn func(w http.ResponseWriter, r *http.Request, body []byte) error) http.Handler {
	return h.serve(func(w http.ResponseWriter, r *http.Request) error {
		if !h.Daraja.Admits(r) {
			http.NotFound(w, r)
			return nil
		}
		body, err := mpesa.ReadBody(r.Body)
		if err != nil {
			return invalid("%v", err)
		}
		err = fn(w, r, body)
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusBadRequest {
			h.deadLetter(r, body, err)
		}
		return err
	})
}

// ours reports whether a short code is one of our Paybill or till numbers.
func (h *Handler) ours(shortCode string) bool {
	for _, sc := range h.ShortCodes {
		if sc == shortCode {
			return true
		}
	}
	return false
}

// c2bValidation decides, within Daraja's few seconds, whether M-Pesa may
// take the customer's money for this account. A database that is
// restarting is waited for a few seconds (the decision reads and records
// nothing that a second try would double); one still unreachable after
// that gets a refusal, "other error", rather than a 500 that leaves the
// payment to the ResponseType registered with Safaricom: the account cannot
// be checked, so no money moves, and M-Pesa tells the customer at once that
// the payment did not go through, to be tried again.
func (h *Handler) c2bValidation(w http.ResponseWriter, r *http.Request, body []byte) error {
	c, err := mpesa.DecodeC2BValidation(bytes.NewReader(body))
	if err != nil {
		return invalid("%v", err)
	}
	var reply mpesa.ValidationResponse
	err = store.RetryUnavailable(r.Context(), payment.DefaultRetryFor, func() error {
		var err error
		reply, err = h.validate(r.Context(), c)
		return err
	})
	if store.Unavailable(err) {
		h.Log.Warn("c2b validation refused: the database is unreachable", "receipt", c.TransID, "short_code", c.ShortCode, "err", err)
		reply, err = mpesa.Reject(mpesa.C2BOtherError), nil
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, reply)
}

// validate decides a validation request.
func (h *Handler) validate(ctx context.Context, c mpesa.C2B) (mpesa.ValidationResponse, error) {
	if !h.ours(c.ShortCode) {
		return mpesa.Reject(mpesa.C2BInvalidShortCode), nil
	}
	if h.ISP != nil && h.ISP.Ours(c.ShortCode) {
		return h.accountValidation(ctx, c, h.ISP.Payable)
	}
	if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(c.BillRef)), payment.AgentPrefix) {
		return h.agentValidation(ctx, c)
	}
	drn := customer.NormalizeNumber(c.BillRef)
	m, err := customer.GetMeter(ctx, h.DB.Read(), drn)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return mpesa.Reject(mpesa.C2BInvalidAccount), nil
	case err != nil:
		return mpesa.ValidationResponse{}, err
	case m.Status != customer.MeterActive:
		return mpesa.Reject(mpesa.C2BInvalidAccount), nil
	}
	if c.CheckAmount() != nil {
		return mpesa.Reject(mpesa.C2BInvalidAmount), nil
	}
	t, err := h.Tariffs.Get(ctx, h.DB.Read(), m.TariffID)
	if err != nil {
		return mpesa.ValidationResponse{}, err
	}
	v, err := t.At(c.TransTime)
	if err != nil {
		return mpesa.ValidationResponse{}, err
	}
	if c.Amount < v.MinPurchase || c.Amount > v.MaxPurchase {
		return mpesa.Reject(mpesa.C2BInvalidAmount), nil
	}
	// The account typed is kept: if the confirmation is then lost, it is the
	// one thing a transaction status query cannot tell.
	if err := payment.RecordValidation(ctx, h.DB, c); err != nil {
		return mpesa.ValidationResponse{}, err
	}
	return mpesa.Accept(), nil
}

// accountValidation decides a payment to an account other than a meter (an
// ISP's subscriber, an agent outlet's float): any whole amount, for an
// account payable says may be paid; what a plan does not take waits in the
// wallet.
func (h *Handler) accountValidation(ctx context.Context, c mpesa.C2B, payable func(context.Context, string) (bool, error)) (mpesa.ValidationResponse, error) {
	if c.CheckAmount() != nil {
		return mpesa.Reject(mpesa.C2BInvalidAmount), nil
	}
	ok, err := payable(ctx, c.BillRef)
	if err != nil {
		return mpesa.ValidationResponse{}, err
	}
	if !ok {
		return mpesa.Reject(mpesa.C2BInvalidAccount), nil
	}
	if err := payment.RecordValidation(ctx, h.DB, c); err != nil {
		return mpesa.ValidationResponse{}, err
	}
	return mpesa.Accept(), nil
}

// c2bConfirmation stores the payment and only then acknowledges it. The
// money has already moved, so nothing here refuses it: an unknown account
// lands in suspense.
func (h *Handler) c2bConfirmation(w http.ResponseWriter, r *http.Request, body []byte) error {
	c, err := mpesa.DecodeC2B(bytes.NewReader(body))
	if err != nil {
		return invalid("%v", err)
	}
	if !h.ours(c.ShortCode) {
		// Not a payment to us: kept as a dead letter for staff, not booked.
		return invalid("BusinessShortCode %q is not one of ours", c.ShortCode)
	}
	p := payment.Payment{Provider: payment.MpesaC2B, Receipt: c.TransID, Amount: c.Amount, Payer: c.MSISDN,
		PayerName: joinName(c.FirstName, c.MiddleName, c.LastName), AccountRef: c.BillRef, ShortCode: c.ShortCode, PaidAt: c.TransTime,
		Verify: h.VerifyAbove > 0 && c.Amount >= h.VerifyAbove}
	if n, ok := c.PlainMSISDN(); ok {
		p.Payer = n
	}
	// M-Pesa does not resend a confirmation, so a database that is
	// restarting must not cost the customer the payment: RecordDurably
	// waits for it a few seconds, then keeps the payment in the spool.
	if _, _, err := h.Intake.RecordDurably(r.Context(), p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mpesa.ConfirmationAck)
}

func (h *Handler) stkCallback(w http.ResponseWriter, r *http.Request, body []byte) error {
	cb, err := mpesa.DecodeSTKCallback(bytes.NewReader(body))
	if err != nil {
		return invalid("%v", err)
	}
	if h.STK == nil {
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "STK push is not configured"}
	}
	// Settling again changes nothing, so a restarting database is waited
	// for a few seconds rather than answered with a 500.
	err = store.RetryUnavailable(r.Context(), payment.DefaultRetryFor, func() error {
		_, err := h.STK.Settle(r.Context(), cb)
		return err
	})
	if err != nil {
		if errors.Is(err, payment.ErrUnknownCheckout) {
			// Not ours and no money moved: acknowledge so Daraja stops.
			h.Log.Warn("stk callback for unknown checkout", "checkout", cb.CheckoutRequestID, "phone", phone.Mask(cb.Phone))
			return writeJSON(w, http.StatusOK, mpesa.STKCallbackAck)
		}
		return err
	}
	return writeJSON(w, http.StatusOK, mpesa.STKCallbackAck)
}

func (h *Handler) statusResult(w http.ResponseWriter, r *http.Request, body []byte) error {
	res, err := mpesa.DecodeStatusResult(bytes.NewReader(body))
	if err != nil {
		return invalid("%v", err)
	}
	if h.Recovery != nil {
		_, err := h.Recovery.Settle(r.Context(), res)
		if errors.Is(err, payment.ErrUnknownResult) {
			// Not an answer to a question we asked: nothing is taken from
			// it, and Daraja is told it arrived so it stops.
			h.Log.Warn("status result for no query of ours", "transaction", res.TransactionID, "err", err)
			return writeJSON(w, http.StatusOK, mpesa.ResultAck)
		}
		if err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, mpesa.ResultAck)
}

// statusTimeout is a queue-timeout notice: not a failure, the result may
// still come; the customer's next "I paid" asks again.
func (h *Handler) statusTimeout(w http.ResponseWriter, r *http.Request, body []byte) error {
	res, err := mpesa.DecodeStatusResult(bytes.NewReader(body))
	if err != nil {
		return invalid("%v", err)
	}
	h.Log.Info("status query timed out in M-Pesa's queue", "transaction", res.TransactionID, "desc", res.ResultDesc)
	return writeJSON(w, http.StatusOK, mpesa.ResultAck)
}

// deadLetter keeps a callback body that could not be read, for staff: a
// confirmation M-Pesa sent in a shape we did not expect is still money.
func (h *Handler) deadLetter(r *http.Request, body []byte, cause error) {
	err := h.DB.InTx(r.Context(), func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO dead_letters (id, source, body, error, remote, received_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			uuid.Must(uuid.NewV7()).String(), peer.RedactPath(r.URL.Path), strings.ToValidUTF8(string(body), "?"), cause.Error(), peer.Addr(r).String(), store.Micros(tx.Now))
		return err
	})
	if err != nil {
		h.Log.Error("keep unreadable callback", "path", peer.RedactPath(r.URL.Path), "err", err)
		return
	}
	h.Log.Warn("unreadable callback kept for staff", "path", peer.RedactPath(r.URL.Path), "err", cause)
}

func joinName(parts ...string) string {
	var b []byte
	for _, p := range parts {
		if p == "" {
			continue
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, p...)
	}
	return string(b)
}
