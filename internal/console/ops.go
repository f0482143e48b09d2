package console

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
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
	d.Vends = bars(counts, t(v.lang, "ops.vends.chart"))
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

// bars draws counts as a bar chart, oldest on the left, scaled to the
// largest; the title names it for screen readers.
func bars(counts []int, title string) template.HTML {
	top := 1
	for _, n := range counts {
		top = max(top, n)
	}
	const w, h = 600, 120
	bw := float64(w) / float64(len(counts))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, w, h+14, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#999"/>`, h, w, h)
	for i, n := range counts {
		bh := float64(n) / float64(top) * float64(h-4)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#12355b"><title>%d</title></rect>`, float64(i)*bw+1, float64(h)-bh, bw-2, bh, n)
	}
	fmt.Fprintf(&b, `<text x="0" y="%d" font-size="11">-60 min</text><text x="%d" y="%d" font-size="11" text-anchor="end">%d/min max</text></svg>`, h+12, w, h+12, top)
	return template.HTML(b.String())
}
