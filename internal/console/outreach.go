package console

import (
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/outreach"
	"github.com/mteja/mteja/internal/tariff"
)

// outreachRoutes show what Mteja told customers unasked.
func (h *Handler) outreachRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/staff/outreach", Roles: readerRoles, fn: h.outreach, Menu: "nav.outreach"},
	}
}

// outreachDays is how far back the reminders per day go.
const outreachDays = 30

type outreachPage struct {
	Days    []outreachDay
	Notices []outreachNotice
}

type outreachDay struct {
	Day              string
	Meters, Messages int
}

type outreachNotice struct {
	Tariff, Effective, First, Last string
	Phones                         int
}

// outreach shows the low-credit reminders of the last days and the tariff
// notices of each version: figures only, no customer.
func (h *Handler) outreach(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	days, err := outreach.ReminderDays(ctx, h.DB, time.Now().AddDate(0, 0, -outreachDays))
	if err != nil {
		return err
	}
	runs, err := outreach.NoticeRuns(ctx, h.DB, 50)
	if err != nil {
		return err
	}
	var p outreachPage
	for _, d := range days {
		p.Days = append(p.Days, outreachDay{Day: d.Day.Format(time.DateOnly), Meters: d.Meters, Messages: d.Messages})
	}
	when := func(t time.Time) string { return t.In(tariff.Zone).Format("2006-01-02 15:04") }
	for _, n := range runs {
		p.Notices = append(p.Notices, outreachNotice{Tariff: n.TariffID, Effective: n.EffectiveFrom.In(tariff.Zone).Format(time.DateOnly),
			First: when(n.First), Last: when(n.Last), Phones: n.Phones})
	}
	return h.render(w, v, http.StatusOK, "outreach", h.page(v, "outreach.title", p))
}
