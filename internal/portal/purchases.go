package portal

import (
	"net/http"
	"sort"

	"github.com/mteja/mteja/internal/payment"
)

// historySize keeps the purchases page well under its 30 KB.
const historySize = 30

// purchases lists the payments for the customer's meters, newest first.
func (h *Handler) purchases(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	ms, err := h.myMeters(ctx, v)
	if err != nil {
		return err
	}
	var all []payment.Payment
	for _, m := range ms {
		ps, err := payment.List(ctx, h.DB.Read(), payment.Filter{MeterDRN: m.DRN, Limit: historySize})
		if err != nil {
			return err
		}
		all = append(all, ps...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].ReceivedAt.After(all[j].ReceivedAt) })
	if len(all) > historySize {
		all = all[:historySize]
	}
	p := v.page("history.title", struct{ Payments []payment.Payment }{all})
	p.Nav = "history"
	return h.render(w, v, http.StatusOK, "purchases", p)
}
