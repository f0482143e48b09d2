package api

import (
	"errors"
	"net/http"
	"sort"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

type purchaseJSON struct {
	Receipt string     `json:"receipt"`
	Meter   string     `json:"meter"`
	Amount  amountJSON `json:"amount"`
	State   string     `json:"state"`
	PaidAt  time.Time  `json:"paid_at"`
	Vend    *vendJSON  `json:"vend,omitempty"` // the itemised receipt and tokens, once vended
}

// purchases lists the payments for the customer's meters, newest first,
// each with its itemised receipt and tokens once vended.
func (m *me) purchases(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	limit, err := meLimit(r, 20, 50)
	if err != nil {
		return err
	}
	ms, err := customer.MetersForPhone(ctx, m.DB.Read(), meSession(r).MSISDN)
	if err != nil {
		return err
	}
	var all []payment.Payment
	for _, x := range ms {
		ps, err := payment.List(ctx, m.DB.Read(), payment.Filter{MeterDRN: x.DRN, Limit: limit})
		if err != nil {
			return err
		}
		all = append(all, ps...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].ReceivedAt.After(all[j].ReceivedAt) })
	if len(all) > limit {
		all = all[:limit]
	}
	out := []purchaseJSON{}
	for _, p := range all {
		pj := purchaseJSON{Receipt: p.Receipt, Meter: p.MeterDRN, Amount: amount(p.Amount, p.Currency), State: p.State, PaidAt: p.PaidAt}
		if p.State == payment.Applied {
			v, err := vend.ByPayment(ctx, m.DB.Read(), p.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err == nil {
				vj := vendView(v)
				pj.Vend = &vj
			}
		}
		out = append(out, pj)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"purchases": out})
}

type myPurchaseRequest struct {
	Meter  string `json:"meter"`
	Amount int64  `json:"amount"` // whole shillings
}

// buyStart sends an M-Pesa prompt (STK push) to the customer's own phone.
func (m *me) buyStart(w http.ResponseWriter, r *http.Request) error {
	if m.STK == nil {
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "M-Pesa STK push is not configured"}
	}
	var req myPurchaseRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if customer.NormalizeNumber(req.Meter) == "" {
		return invalid("meter: required")
	}
	amt, err := purchaseAmount(req.Amount)
	if err != nil {
		return err
	}
	s := meSession(r)
	if err := meTake(w, m.buy, s.ID); err != nil {
		return err
	}
	stk, err := m.STK.Start(r.Context(), s.MSISDN, req.Meter, amt, "app")
	var le *payment.LimitError
	switch {
	case errors.As(err, &le), errors.Is(err, payment.ErrMeterNotPayable):
		return invalid("%v", err)
	case err != nil:
		return err
	}
	return writeJSON(w, http.StatusAccepted, stkView(stk, nil))
}

type stkJSON struct {
	CheckoutRequestID string     `json:"checkout_request_id"`
	State             string     `json:"state"`
	Meter             string     `json:"meter"`
	Amount            amountJSON `json:"amount"`
	Receipt           string     `json:"receipt,omitempty"`
	Reason            string     `json:"reason,omitempty"`
	Message           string     `json:"message"`
	Vend              *vendJSON  `json:"vend,omitempty"`
}

func stkView(s payment.STKRequest, v *vend.Vend) stkJSON {
	out := stkJSON{CheckoutRequestID: s.CheckoutRequestID, State: s.State, Meter: s.MeterDRN, Amount: amount(s.Amount, ""), Receipt: s.Receipt}
	switch {
	case s.State == payment.STKPending:
		out.Message = "Approve the M-Pesa prompt on your phone; the token follows here and by SMS."
	case s.State == payment.STKFailed:
		out.Reason, out.Message = s.ResultDesc, "The payment did not go through."
	case v != nil:
		vj := vendView(*v)
		out.Vend, out.Message = &vj, "Paid: your token is ready."
	default:
		out.Message = "Paid: your token is being prepared."
	}
	return out
}

// buyStatus shows one of the customer's STK purchases, with the token once
// it is made; the app polls it.
func (m *me) buyStatus(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s, err := payment.GetSTK(ctx, m.DB.Read(), r.PathValue("checkout"))
	if err != nil {
		return err
	}
	if s.MSISDN != meSession(r).MSISDN {
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such purchase for this phone"}
	}
	var v *vend.Vend
	if s.State == payment.STKPaid && s.Receipt != "" {
		got, err := vend.ByReceipt(ctx, m.DB.Read(), s.Receipt)
		switch {
		case err == nil:
			v = &got
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	return writeJSON(w, http.StatusOK, stkView(s, v))
}
