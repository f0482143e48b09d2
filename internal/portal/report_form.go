package portal

import (
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
)

// faultKinds are offered in this order.
var faultKinds = []string{care.FaultNoPower, care.FaultTokenRejected, care.FaultMeter, care.FaultOther}

type reportData struct {
	Meters  []customer.Meter
	Meter   string
	Kinds   []string
	Kind    string
	Note    string
	Tickets []myTicket // the customer's recent reports
}

// myTicket is a ticket as its customer sees it: no team, no notes.
type myTicket struct {
	Ref       string
	Label     string // its category in the customer's language
	Open      bool
	MeterDRN  string
	CreatedAt time.Time
	Events    []care.Event // what the customer said and was told
}

func (h *Handler) myTicket(tk care.Ticket, lang string) myTicket {
	return myTicket{Ref: tk.Ref, Label: h.desk().CategoryLabel(tk.Category, lang), Open: care.Active(tk.State), MeterDRN: tk.MeterDRN, CreatedAt: tk.CreatedAt}
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
	ts, err := care.Tickets(ctx, h.DB.Read(), care.Filter{MSISDN: v.session.MSISDN, Limit: 5})
	if err != nil {
		return reportData{}, err
	}
	d := reportData{Meters: ms, Kinds: faultKinds, Meter: customer.NormalizeNumber(chosen)}
	for _, tk := range ts {
		d.Tickets = append(d.Tickets, h.myTicket(tk, v.lang))
	}
	return d, nil
}
