package app

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// dbCollector reads queue depths and open incidents from the database at
// scrape time, so that every node reports the shared queues the same way.
type dbCollector struct {
	a         *App
	payments  *prometheus.Desc
	queue     *prometheus.Desc
	awaiting  *prometheus.Desc
	incidents *prometheus.Desc
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.payments
	ch <- c.queue
	ch <- c.awaiting
	ch <- c.incidents
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if counts, err := payment.Counts(ctx, c.a.DB.Read()); err == nil {
		for _, s := range []string{payment.Received, payment.Verifying, payment.Applied, payment.Suspense, payment.Reversed} {
			ch <- prometheus.MustNewConstMetric(c.payments, prometheus.GaugeValue, float64(counts[s]), s)
		}
	}
	if depths, err := notify.QueueDepths(ctx, c.a.DB); err == nil {
		queued := map[string]int{}
		for _, d := range depths {
			if d.State == notify.StateQueued {
				queued[d.Lane] += d.N
			} else {
				ch <- prometheus.MustNewConstMetric(c.awaiting, prometheus.GaugeValue, float64(d.N), d.Lane, d.Route)
			}
		}
		for _, l := range notify.Lanes {
			ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(queued[l]), l)
		}
	} else {
		c.a.Log.Error("metrics: queue depths", "err", err)
	}
	if open, err := notify.OpenIncidents(ctx, c.a.DB); err == nil {
		// The token objective's series is always there, at 0 when all is well.
		kinds := map[string]int{notify.KindDeliverySLO + notify.LaneToken: 0}
		if c.a.DB.Dialect == store.Postgres {
			kinds[notify.KindDatabaseHeld] = 0
		}
		for _, i := range open {
			kinds[i.Kind]++
		}
		for k, n := range kinds {
			ch <- prometheus.MustNewConstMetric(c.incidents, prometheus.GaugeValue, float64(n), k)
		}
	} else {
		c.a.Log.Error("metrics: open incidents", "err", err)
	}
}

// routeCollector reports each SMS route's health on this node, and the
// SMPP binds' own counters.
type routeCollector struct {
	w                          *notify.Worker
	up, silent, open           *prometheus.Desc
	bound, tps, inflight       *prometheus.Desc
	throttled, unknown, rebind *prometheus.Desc
}

func (c *routeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.silent, c.open, c.bound, c.tps, c.inflight, c.throttled, c.unknown, c.rebind} {
		ch <- d
	}
}

func (c *routeCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v bool, route string) {
		f := 0.0
		if v {
			f = 1
		}
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, f, route)
	}
	for _, s := range c.w.RouteStatus() {
		gauge(c.up, s.Up(), s.Name)
		gauge(c.silent, s.Silent, s.Name)
		gauge(c.open, s.Open, s.Name)
	}
	for _, r := range c.w.Routes {
		cl, ok := r.Sender.(*smpp.Client)
		if !ok {
			continue
		}
		st := cl.Stats()
		gauge(c.bound, st.Bound, r.Name)
		ch <- prometheus.MustNewConstMetric(c.tps, prometheus.GaugeValue, st.TPS, r.Name)
		ch <- prometheus.MustNewConstMetric(c.inflight, prometheus.GaugeValue, float64(st.InFlight), r.Name)
		ch <- prometheus.MustNewConstMetric(c.throttled, prometheus.CounterValue, float64(st.Throttled), r.Name)
		ch <- prometheus.MustNewConstMetric(c.unknown, prometheus.CounterValue, float64(st.Unknown), r.Name)
		ch <- prometheus.MustNewConstMetric(c.rebind, prometheus.CounterValue, float64(st.Reconnects), r.Name)
	}
}

func (a *App) metrics() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	reg.MustRegister(&dbCollector{a: a,
		payments:  prometheus.NewDesc("mteja_payments", "Payments by state.", []string{"state"}, nil),
		queue:     prometheus.NewDesc("mteja_messages_queued", "Outgoing messages waiting, by lane.", []string{"lane"}, nil),
		awaiting:  prometheus.NewDesc("mteja_messages_awaiting_receipt", "Messages submitted and awaiting their delivery receipt, by lane and route.", []string{"lane", "route"}, nil),
		incidents: prometheus.NewDesc("mteja_incidents_open", "Open system incidents, by kind.", []string{"kind"}, nil),
	})
	if a.Delivery.Metrics == nil {
		a.Delivery.Metrics = notify.NewMetrics()
	}
	reg.MustRegister(a.Delivery.Metrics.Collectors()...)
	route := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"route"}, nil)
	}
	reg.MustRegister(&routeCollector{w: a.Delivery,
		up:        route("mteja_sms_route_up", "1 when the route takes traffic first: not failing, receipts coming."),
		silent:    route("mteja_sms_route_silent", "1 when the route's delivery receipts have stopped coming."),
		open:      route("mteja_sms_route_open", "1 while the route is skipped after failed sends."),
		bound:     route("mteja_smpp_bound", "1 while the SMPP bind is up."),
		tps:       route("mteja_smpp_tps", "submit_sm per second the bind allows itself now (lowered by throttling)."),
		inflight:  route("mteja_smpp_in_flight", "submit_sm awaiting their response."),
		throttled: route("mteja_smpp_throttled_total", "ESME_RTHROTTLED answers."),
		unknown:   route("mteja_smpp_unknown_outcome_total", "submit_sm left without an answer when the bind dropped."),
		rebind:    route("mteja_smpp_reconnects_total", "Binds lost after they were up."),
	})
	reg.MustRegister(intakeCollectors(a.Intake)...)
	if a.radiusMetrics != nil {
		reg.MustRegister(a.radiusMetrics.collectors()...)
	}
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
