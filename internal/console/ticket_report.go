package console

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/tariff"
)

// ticketReportPage is a month of tickets, ready to show.
type ticketReportPage struct {
	Month, Prev, Next string // 2026-03
	Report            care.TicketMonth
	Categories        []care.Category
	Label             map[string]string
	Channels          []string
	Times             [][3]string   // what, first response, resolution
	Charter           []charter.Row // the service charter's figures for the month
}

// ticketReport shows a month's tickets (Nairobi time): volume by category
// and channel, and how long the first answer and the resolution took.
func (h *Handler) ticketReport(w http.ResponseWriter, v *visit) error {
	month := time.Now().In(tariff.Zone)
	if m := v.r.URL.Query().Get("month"); m != "" {
		var err error
		if month, err = time.ParseInLocation("2006-01", m, tariff.Zone); err != nil {
			return &pageError{Status: http.StatusBadRequest, Key: "tickets.report.badmonth", cause: err}
		}
	}
	r, err := care.MonthReport(v.r.Context(), h.DB.Read(), month)
	if err != nil {
		return err
	}
	d := h.desk()
	data := ticketReportPage{Month: r.From.Format("2006-01"), Prev: r.From.AddDate(0, -1, 0).Format("2006-01"), Next: r.To.Format("2006-01"),
		Report: r, Categories: d.CategoryList(), Label: map[string]string{}, Channels: append(slices.Clip(care.Channels), care.ChannelUnknown)}
	for _, c := range data.Categories {
		data.Label[c.Name] = c.Label(v.lang)
	}
	show := func(d time.Duration) string {
		if d == 0 {
			return "–"
		}
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02d", int(d.Hours()), int(d.Minutes())%60)
	}
	f, s := r.FirstResponse, r.Resolution
	data.Times = [][3]string{
		{t(v.lang, "tickets.report.count"), fmt.Sprint(f.Count), fmt.Sprint(s.Count)},
		{t(v.lang, "tickets.report.median"), show(f.Median), show(s.Median)},
		{t(v.lang, "tickets.report.p90"), show(f.P90), show(s.P90)},
		{t(v.lang, "tickets.report.mean"), show(f.Mean), show(s.Mean)},
		{t(v.lang, "tickets.report.longest"), show(f.Longest), show(s.Longest)},
	}
	if h.Services.Charter != nil {
		if data.Charter, err = charter.Report(v.r.Context(), h.DB.Read(), h.Services.Charter, r.From, 1); err != nil {
			return err
		}
	}
	return h.render(w, v, http.StatusOK, "ticket_report", h.page(v, "tickets.report.title", data, data.Month))
}
