package portal

import (
	"net/http"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
)

// faultKinds are offered in this order.
var faultKinds = []string{care.FaultNoPower, care.FaultTokenRejected, care.FaultMeter, care.FaultOther}

type reportData struct {
	Meters []customer.Meter
	Meter  string
	Kinds  []string
	Kind   string
	Note   string
	Faults []care.Fault // the customer's recent reports
}

// reportForm asks what is wrong and at which meter, and lists the
// customer's recent reports.
func (h *Handler) reportForm(w http.ResponseWriter, v *visit) error {
	d, err := h.reportData(v, v.r.URL.Query().Get("meter"))
	if err != nil {
		return err
	}
	p := v.page("report.title", d)
	p.Nav = "report"
	return h.render(w, v, http.StatusOK, "report", p)
}

func (h *Handler) reportData(v *visit, chosen string) (reportData, error) {
	ctx := v.r.Context()
	ms, err := h.myMeters(ctx, v)
	if err != nil {
		return reportData{}, err
	}
	fs, err := care.Faults(ctx, h.DB, v.session.MSISDN, 5)
	if err != nil {
		return reportData{}, err
	}
	d := reportData{Meters: ms, Kinds: faultKinds, Faults: fs, Meter: customer.NormalizeNumber(chosen)}
	return d, nil
}
