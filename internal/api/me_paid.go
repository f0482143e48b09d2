package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/login"
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
	Vend    *vendJSON `json:"vend,omitempty"` // to the payer and the meter's own phones
	// Tokens alone go to anyone else holding the receipt code: a token
	// works only in the meter it was made for.
	Tokens []paidTokenJSON `json:"tokens,omitempty"`
}

type paidTokenJSON struct {
	Kind    string    `json:"kind"`
	Token   string    `json:"token"`
	Display string    `json:"display"`
	Meter   string    `json:"meter"`
	At      time.Time `json:"at"`
}

// paid finds the token of a payment the customer made but never got a
// token for, by its M-Pesa receipt code; when Mteja never heard of the
// payment it asks M-Pesa, and the app asks again a minute later. Whoever
// holds the receipt code may see its token; the amount and the receipt
// lines only the payer and the meter's own phones. The meter named here is
// recorded with the question, never credited on its word.
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
	rc := m.Recovery
	if rc == nil {
		rc = &payment.Recovery{DB: m.DB}
	}
	lk, err := rc.Find(ctx, code, payment.Asker{MSISDN: s.MSISDN, Meter: meter, Channel: "app", Address: login.ClientAddress(r)})
	if err != nil {
		return err
	}
	out := paidJSON{Receipt: code}
	p := lk.Payment
	switch {
	case p == nil && lk.Asked:
		out.Status, out.Message = paidChecking, "We are checking this payment with M-Pesa: ask again in a minute."
	case p == nil:
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no payment to us with receipt " + code}
	case p.State == payment.Suspense:
		out.Status, out.Message = paidSuspense, "The payment was received and our team is checking it: they will contact you."
	case p.State == payment.Reversed:
		out.Status, out.Message = paidReversed, "The payment was reversed."
	default:
		v, err := vend.ByPayment(ctx, m.DB.Read(), p.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			out.Status, out.Message = paidProcessing, "The payment was received and its token is being made: ask again in a moment."
		case err != nil:
			return err
		case lk.Rightful:
			vj := vendView(v)
			out.Status, out.Message, out.Vend = paidVended, "Here is your token.", &vj
		default:
			out.Status, out.Message = paidVended, "Here is the token. It works only in meter "+v.MeterDRN+"."
			for _, t := range v.Tokens {
				out.Tokens = append(out.Tokens, paidTokenJSON{Kind: t.Kind, Token: t.Digits, Display: t.Grouped(), Meter: v.MeterDRN, At: v.CreatedAt})
			}
		}
	}
	return writeJSON(w, http.StatusOK, out)
}
