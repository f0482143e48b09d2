package portal

import (
	"net/http"

	"github.com/mteja/mteja/internal/customer"
)

type buyData struct {
	Meters []customer.Meter
	Meter  string // the chosen meter
	Other  string // a meter number typed instead
	Amount string
}

// buyForm asks which meter and how much; the M-Pesa prompt goes to the
// customer's own phone.
func (h *Handler) buyForm(w http.ResponseWriter, v *visit) error {
	d, err := h.buyData(v, v.r.URL.Query().Get("meter"))
	if err != nil {
		return err
	}
	p := v.page("buy.title", d)
	p.Nav = "buy"
	status := http.StatusOK
	if h.STK == nil {
		p.Err, status = t(v.lang, "err.nompesa"), http.StatusServiceUnavailable
	}
	return h.render(w, v, status, "buy", p)
}

// buyData lists the customer's meters with chosen (or the first) selected.
func (h *Handler) buyData(v *visit, chosen string) (buyData, error) {
	ms, err := h.myMeters(v.r.Context(), v)
	if err != nil {
		return buyData{}, err
	}
	d := buyData{Meters: ms}
	chosen = customer.NormalizeNumber(chosen)
	for _, m := range ms {
		if m.DRN == chosen {
			d.Meter = m.DRN
		}
	}
	if d.Meter == "" && len(ms) > 0 {
		d.Meter = ms[0].DRN
	}
	return d, nil
}
