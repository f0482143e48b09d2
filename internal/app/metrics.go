package app

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
)

// dbCollector reads queue depths from the database at scrape time, so that
// every node reports the shared queues the same way.
type dbCollector struct {
	a        *App
	payments *prometheus.Desc
	queue    *prometheus.Desc
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.payments
	ch <- c.queue
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if counts, err := payment.Counts(ctx, c.a.DB.Read()); err == nil {
		for _, s := range []string{payment.Received, payment.Applied, payment.Suspense, payment.Reversed} {
			ch <- prometheus.MustNewConstMetric(c.payments, prometheus.GaugeValue, float64(counts[s]), s)
		}
	}
	if depth, err := notify.Depth(ctx, c.a.DB); err == nil {
		for _, l := range notify.Lanes {
			ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(depth[l]), l)
		}
	}
}

func (a *App) metrics() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	reg.MustRegister(&dbCollector{a: a,
		payments: prometheus.NewDesc("mteja_payments", "Payments by state.", []string{"state"}, nil),
		queue:    prometheus.NewDesc("mteja_messages_queued", "Outgoing messages waiting, by lane.", []string{"lane"}, nil),
	})
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
