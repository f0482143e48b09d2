package app

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mteja/mteja/internal/isp/radius"
)

// buildRadius makes the RADIUS server when an address is set for it; it
// decides with the ISP's billing and sends the CoA and Disconnect requests
// billing queues. With neither address set nothing listens: a router
// cannot reach billing by default.
func (a *App) buildRadius() error {
	cfg := radius.Config{AuthAddr: a.Config.RadiusAuthAddr, AcctAddr: a.Config.RadiusAcctAddr, Log: a.Log}
	if !cfg.Enabled() {
		return nil
	}
	a.radiusMetrics = newRadiusMetrics()
	cfg.Metrics = a.radiusMetrics
	srv, err := radius.New(cfg, a.ISP)
	if err != nil {
		return err
	}
	a.Radius = srv
	return nil
}

// startRadius opens the RADIUS listeners and starts sending changes.
func (a *App) startRadius(ctx context.Context) error {
	if a.Radius == nil {
		return nil
	}
	if err := a.Radius.Start(); err != nil {
		return fmt.Errorf("radius: %w", err)
	}
	a.closers = append(a.closers, a.Radius.Close)
	a.run(ctx, func(ctx context.Context) {
		if err := a.Radius.RunChanges(ctx, a.ISP, 0); err != nil && ctx.Err() == nil {
			a.Log.Error("radius: sending changes", "err", err)
		}
	})
	return nil
}

// radiusMetrics counts the RADIUS server's packets for /metrics.
type radiusMetrics struct {
	received *prometheus.CounterVec
	answered *prometheus.HistogramVec
	dropped  *prometheus.CounterVec
	changes  *prometheus.CounterVec
}

func newRadiusMetrics() *radiusMetrics {
	return &radiusMetrics{
		received: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mteja_radius_received_total",
			Help: "RADIUS packets received, by port (auth, acct)."}, []string{"kind"}),
		answered: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mteja_radius_answer_seconds",
			Help:    "Time from a RADIUS packet's arrival to its answer, by port and outcome (accept, walled_garden, reject, accounted, cached).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2}}, []string{"kind", "outcome"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mteja_radius_dropped_total",
			Help: "RADIUS packets left unanswered, by port and reason (unknown_nas, no_message_auth, decider_error, overload, ...)."}, []string{"kind", "reason"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mteja_radius_changes_sent_total",
			Help: "CoA and Disconnect attempts sent to routers, by kind and result (ack, nak, timeout, error)."}, []string{"kind", "result"}),
	}
}

func (m *radiusMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.received, m.answered, m.dropped, m.changes}
}

func (m *radiusMetrics) Received(k radius.Kind) { m.received.WithLabelValues(string(k)).Inc() }

func (m *radiusMetrics) Answered(k radius.Kind, o radius.Outcome, took time.Duration) {
	m.answered.WithLabelValues(string(k), string(o)).Observe(took.Seconds())
}

func (m *radiusMetrics) Dropped(k radius.Kind, r radius.DropReason) {
	m.dropped.WithLabelValues(string(k), string(r)).Inc()
}

func (m *radiusMetrics) ChangeSent(disconnect bool, result string) {
	kind := "coa"
	if disconnect {
		kind = "disconnect"
	}
	m.changes.WithLabelValues(kind, result).Inc()
}
