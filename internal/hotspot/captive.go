package hotspot

import (
	"context"
	"net/http"
	"sort"

	"github.com/mteja/mteja/internal/isp"
)

type captiveData struct {
	Plans []isp.Plan
	Plan  string // chosen
	Phone string // as typed
}

// captive is the page the router sends a customer to: the hotspot's
// bundles to buy by M-Pesa, and a voucher form.
func (h *Handler) captive(w http.ResponseWriter, v *visit) error {
	return h.showCaptive(w, v, http.StatusOK, captiveData{}, "")
}

// showCaptive shows the captive page with the forms as typed and an error
// (a message key, or "").
func (h *Handler) showCaptive(w http.ResponseWriter, v *visit, status int, d captiveData, errKey string) error {
	plans, err := h.plans(v.r.Context())
	if err != nil {
		return err
	}
	d.Plans = plans
	if d.Plan == "" && len(plans) > 0 {
		d.Plan = plans[0].ID
	}
	p := h.page(v, "captive.title", d)
	if errKey != "" {
		p.Err = t(v.lang, errKey)
	}
	return h.render(w, status, "captive", p)
}

// plans are the hotspot bundles on sale, cheapest first.
func (h *Handler) plans(ctx context.Context) ([]isp.Plan, error) {
	all, err := h.ISP.Plans(ctx)
	if err != nil {
		return nil, err
	}
	var out []isp.Plan
	for _, p := range all {
		if p.Kind == isp.Hotspot && p.Active && p.Price > 0 {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Price < out[j].Price })
	return out, nil
}
