package portal

import (
	"net/http"

	"github.com/mteja/mteja/internal/care"
)

type areaOutages struct {
	Area    string
	Outages []care.Outage
}

// outages shows the outages in force, or planned within a day, in the
// areas of the customer's meters.
func (h *Handler) outages(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	ms, err := h.myMeters(ctx, v)
	if err != nil {
		return err
	}
	var areas []areaOutages
	seen := map[string]bool{}
	for _, m := range ms {
		if m.Area == "" || seen[m.Area] {
			continue
		}
		seen[m.Area] = true
		os, err := care.CurrentOutages(ctx, h.DB, m.Area, h.DB.Now())
		if err != nil {
			return err
		}
		areas = append(areas, areaOutages{m.Area, os})
	}
	p := v.page("outages.title", struct{ Areas []areaOutages }{areas})
	p.Nav = "outages"
	return h.render(w, v, http.StatusOK, "outages", p)
}
