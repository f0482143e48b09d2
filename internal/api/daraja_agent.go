package api

import (
	"context"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/payment/mpesa"
)

// agentValidation decides a float top-up: its account must name an active
// outlet; any whole amount is taken.
func (h *Handler) agentValidation(ctx context.Context, c mpesa.C2B) (mpesa.ValidationResponse, error) {
	return h.accountValidation(ctx, c, func(ctx context.Context, ref string) (bool, error) {
		return agent.TopUpPayable(ctx, h.DB.Read(), ref)
	})
}
