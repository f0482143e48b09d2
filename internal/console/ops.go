package console

import (
	"html/template"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

type opsData struct {
	Vends       template.HTML // the last hour's vends per minute, an SVG
	VendsHour   int
	VendsMinute int // in the minute under way
	Payments    map[string]int
	Suspense    int
	Oldest      time.Duration
	DeadLetters int
	Queues      []notify.QueueDepth
	Latency     []notify.Latency
	Incidents   []notify.Incident
	Routes      []notify.RouteStatus
}

// ops is the live operations page: vends per minute, SMS latency by lane
// and route, incidents open, what waits for staff, and the queues. It
// reloads itself every 30 seconds (a meta refresh: no script).
func (h *Handler) ops(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	now := time.Now()
	// Sixty minutes, the last being the one under way.
	since := now.Truncate(time.Minute).Add(-59 * time.Minute)
	per, err := vend.PerMinute(ctx, h.DB.Read(), since)
	if err != nil {
		return err
	}
	d := opsData{}
	counts := make([]int, 60)
	for m, n := range per {
		i := int(m.Sub(since) / time.Minute)
		if i >= 0 && i < 60 {
			counts[i] = n
			d.VendsHour += n
		}
	}
	d.VendsMinute = counts[59]
	if d.Vends, err = chart(vendsPlot(since, counts), v.lang); err != nil {
		return err
	}
	if d.Payments, err = payment.Counts(ctx, h.DB.Read()); err != nil {
		return err
	}
	if d.Suspense, d.Oldest, d.DeadLetters, err = payment.Waiting(ctx, h.DB.Read(), now); err != nil {
		return err
	}
	if d.Queues, err = notify.QueueDepths(ctx, h.DB); err != nil {
		return err
	}
	if d.Latency, err = notify.Latencies(ctx, h.DB, now.Add(-time.Hour)); err != nil {
		return err
	}
	if d.Incidents, err = notify.OpenIncidents(ctx, h.DB); err != nil {
		return err
	}
	if h.Services.Routes != nil {
		d.Routes = h.Services.Routes()
	}
	d.Oldest = d.Oldest.Round(time.Minute)
	w.Header().Set("Refresh", "30")
	return h.render(w, v, http.StatusOK, "ops", h.page(v, "ops.title", d))
}

// vendsPlot is the last hour's vends per minute, oldest on the left, each
// minute named by its time in the operator's zone.
func vendsPlot(since time.Time, counts []int) report.Plot {
	p := report.Plot{ID: "ops-vends", Title: label("ops.vends.chart"), Kind: report.Bars, Unit: report.Count,
		Series: []report.Series{{Name: label("ops.vends"), Values: make([]int64, len(counts))}}}
	for i, n := range counts {
		at := since.Add(time.Duration(i) * time.Minute).In(tariff.Zone).Format("15:04")
		p.X = append(p.X, report.Label{EN: at, SW: at})
		p.Series[0].Values[i] = int64(n)
	}
	return p
}
