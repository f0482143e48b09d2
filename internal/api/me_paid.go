package api

import (
	"errors"
	"net/http"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

// Outcomes of a receipt look-up.
const (
	paidVended     = "vended"     // here is the token
	paidProcessing = "processing" // received; the token is being made
	paidChecking   = "checking"   // unknown here; M-Pesa is being asked
	paidSuspense   = "suspense"   // received, not matched to a meter: staff will sort it out
	paidReversed   = "reversed"
)

type paidJSON struct {
	Receipt string    `json:"receipt"`
	Status  string    `json:"status"`
	Message string    `json:"message"`
	Vend    *vendJSON `json:"vend,omitempty"`
}

// paid finds the token of a payment the customer made but never got a
// token for, by its M-Pesa receipt code; when Mteja never heard of the
// payment it asks M-Pesa, and the app asks again a minute later. The
// receipt code proves the payment, as on USSD and SMS: whoever holds the
// payment SMS may see its token.
func (m *me) paid(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code, err := payment.NormalizeReceipt(r.PathValue("receipt"))
	if err != nil {
		return invalid("%v", err)
	}
	s := meSession(r)
	meter := customer.NormalizeNumber(r.URL.Query().Get("meter"))
	if meter != "" {
		if _, err := m.myMeter(r, meter); err != nil {
			return err
		}
	}
	if err := meTake(w, m.lookup, s.ID); err != nil {
		return err
	}
	var lk payment.Lookup
	if m.Recovery != nil {
		if lk, err = m.Recovery.Find(ctx, code, s.MSISDN, meter); err != nil {
			return err
		}
	} else {
		p, err := payment.ByReceipt(ctx, m.DB.Read(), code)
		if err != nil {
			return err
		}
		lk.Payment = &p
	}
	out := paidJSON{Receipt: code}
	p := lk.Payment
	switch {
	case p == nil && lk.Asked:
		out.Status, out.Message = paidChecking, "We are checking this payment with M-Pesa: ask again in a minute."
	case p == nil:
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no payment with receipt " + code}
	case p.State == payment.Suspense:
		out.Status, out.Message = paidSuspense, "The payment was received but is not matched to a meter: our team will sort it out and contact you."
	case p.State == payment.Reversed:
		out.Status, out.Message = paidReversed, "The payment was reversed."
	default:
		v, err := vend.ByPayment(ctx, m.DB.Read(), p.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			out.Status, out.Message = paidProcessing, "The payment was received and its token is being made: ask again in a moment."
		case err != nil:
			return err
		default:
			vj := vendView(v)
			out.Status, out.Message, out.Vend = paidVended, "Here is your token.", &vj
		}
	}
	return writeJSON(w, http.StatusOK, out)
}
