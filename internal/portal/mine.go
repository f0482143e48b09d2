package portal

import (
	"context"

	"github.com/mteja/mteja/internal/customer"
)

// myMeters returns the meters registered to the customer's phone.
func (h *Handler) myMeters(ctx context.Context, v *visit) ([]customer.Meter, error) {
	return customer.MetersForPhone(ctx, h.DB.Read(), v.session.MSISDN)
}

// myMeter returns one of the customer's meters. Another's meter is "not
// found", as one that does not exist, so that the portal does not tell
// which meter numbers are real.
func (h *Handler) myMeter(ctx context.Context, v *visit, drn string) (customer.Meter, error) {
	ms, err := h.myMeters(ctx, v)
	if err != nil {
		return customer.Meter{}, err
	}
	drn = customer.NormalizeNumber(drn)
	for _, m := range ms {
		if m.DRN == drn {
			return m, nil
		}
	}
	return customer.Meter{}, notFound()
}
