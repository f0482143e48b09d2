package agentweb

import (
	"errors"
	"net/http"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

// resendLimit bounds the token SMS one agent user may have re-sent: each is
// an SMS the utility pays for.
var resendLimit = login.NewLimiter(1.0/30, 10)

// resend sends a sale's meter its last token again by SMS, to the meter's
// registered phones, audited under the agent.
func (h *Handler) resend(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	sale, err := agent.SaleByReceipt(ctx, h.DB.Read(), v.user.OutletID, v.r.PathValue("receipt"))
	if errors.Is(err, store.ErrNotFound) {
		return &pageError{status: http.StatusNotFound, key: "receipt.not_found"}
	}
	if err != nil {
		return err
	}
	if ok, _ := resendLimit.Allow(v.user.ID); !ok {
		return &pageError{status: http.StatusTooManyRequests, key: "resend.wait"}
	}
	_, err = vend.Resend(ctx, h.DB, h.Utility, sale.MeterDRN, vend.ResendTo{Actor: agent.Actor(v.user.ID), Reason: "agent web, sale " + sale.Receipt}, 1)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, vend.ErrNoPhone):
		return &pageError{status: http.StatusConflict, key: "resend.none"}
	case err != nil:
		return err
	}
	if h.OnMessages != nil {
		h.OnMessages()
	}
	http.Redirect(w, v.r, "/agent/receipts/"+sale.Receipt+"?sent=1", http.StatusSeeOther)
	return nil
}
