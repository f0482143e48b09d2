package portal

import (
	"net/http"

	"github.com/mteja/mteja/internal/vend"
)

// resend texts the meter's last tokens to the customer's own phone.
func (h *Handler) resend(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	m, err := h.myMeter(ctx, v, v.r.PathValue("drn"))
	if err != nil {
		return err
	}
	if err := take(h.limits.resend, v.session.ID); err != nil {
		return err
	}
	if _, err := vend.Resend(ctx, h.DB, h.Utility, m.DRN, vend.ResendTo{Phone: v.session.MSISDN}, 3); err != nil {
		return err
	}
	if h.OnMessages != nil {
		h.OnMessages()
	}
	return redirect(w, v, "/meters/"+m.DRN+"/tokens?sent=1")
}
