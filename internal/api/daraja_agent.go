package api

import (
	"context"
	"net/http"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/payment/mpesa"
)

// agentValidation decides a float top-up: its account must name an active
// outlet; any whole amount is taken.
func (h *Handler) agentValidation(w http.ResponseWriter, r *http.Request, c mpesa.C2B) error {
	return h.accountValidation(w, r, c, func(ctx context.Context, ref string) (bool, error) {
		return agent.TopUpPayable(ctx, h.DB.Read(), ref)
	})
}
