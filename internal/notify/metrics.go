package notify

import (
	"errors"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/notify/sms"
)

// Metrics are the delivery counters and histograms one node keeps. Queue
// depths and open incidents are read from the database at scrape time
// instead (QueueDepths, OpenIncidents), so every node reports the shared
// queue alike. A nil *Metrics counts nothing.
type Metrics struct {
	// Submits counts send attempts by route and result: ok, unknown,
	// temporary, throttled, permanent, bind_failed.
	Submits *prometheus.CounterVec
	// Failures counts failures by where they were seen (submit or
	// receipt) and code: the SMPP command_status name, the gateway's
	// error class, or the receipt's state and error code.
	Failures *prometheus.CounterVec
	// Receipts counts final receipts applied, by lane and state.
	Receipts *prometheus.CounterVec
	// QueuedToDelivered and SubmittedToDelivered are delivery latencies
	// by lane, in seconds, measured when the receipt is applied.
	QueuedToDelivered    *prometheus.HistogramVec
	SubmittedToDelivered *prometheus.HistogramVec
	// Notices counts delay notices the watchdog queued.
	Notices prometheus.Counter
	// Deferred counts messages held back by the per-handset limit, by lane.
	Deferred *prometheus.CounterVec
}

// latencyBuckets span a fast SMSC (a second) to a stalled one (hours).
var latencyBuckets = []float64{0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600}

// NewMetrics makes the collectors; register them with Collectors.
func NewMetrics() *Metrics {
	return &Metrics{
		Submits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mteja_sms_submits_total",
			Help: "SMS send attempts by route and result."}, []string{"route", "result"}),
		Failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mteja_sms_failures_total",
			Help: "SMS failures by stage (submit, receipt) and error code."}, []string{"stage", "code"}),
		Receipts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mteja_sms_receipts_total",
			Help: "Final delivery receipts applied, by lane and state."}, []string{"lane", "state"}),
		QueuedToDelivered: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mteja_sms_queued_to_delivered_seconds",
			Help: "Time from queueing a message to its delivery receipt, by lane.", Buckets: latencyBuckets}, []string{"lane"}),
		SubmittedToDelivered: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mteja_sms_submitted_to_delivered_seconds",
			Help: "Time from submitting a message to its delivery receipt, by lane.", Buckets: latencyBuckets}, []string{"lane"}),
		Notices: prometheus.NewCounter(prometheus.CounterOpts{Name: "mteja_sms_delay_notices_total",
			Help: "Delay notices sent to customers whose token message was late."}),
		Deferred: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mteja_sms_deferred_total",
			Help: "Messages held back by the per-handset rate limit, by lane."}, []string{"lane"}),
	}
}

// Collectors returns every collector, to register.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.Submits, m.Failures, m.Receipts, m.QueuedToDelivered, m.SubmittedToDelivered, m.Notices, m.Deferred}
}

func (m *Metrics) submit(route string, err error) {
	if m == nil {
		return
	}
	m.Submits.WithLabelValues(route, resultOf(err)).Inc()
	if err != nil {
		m.Failures.WithLabelValues("submit", codeOf(err)).Inc()
	}
}

func (m *Metrics) receipt(a appliedReceipt) {
	if m == nil {
		return
	}
	m.Receipts.WithLabelValues(a.lane, a.state).Inc()
	if a.state != StateDelivered {
		code := strings.ToUpper(a.receiptState.String())
		if a.errCode != "" && a.errCode != "000" {
			code += "/" + a.errCode
		}
		m.Failures.WithLabelValues("receipt", code).Inc()
		return
	}
	if !a.queuedAt.IsZero() {
		m.QueuedToDelivered.WithLabelValues(a.lane).Observe(max(0, a.at.Sub(a.queuedAt).Seconds()))
	}
	if !a.submittedAt.IsZero() {
		m.SubmittedToDelivered.WithLabelValues(a.lane).Observe(max(0, a.at.Sub(a.submittedAt).Seconds()))
	}
}

func (m *Metrics) notices(n int) {
	if m != nil && n > 0 {
		m.Notices.Add(float64(n))
	}
}

func (m *Metrics) deferred(lane string) {
	if m != nil {
		m.Deferred.WithLabelValues(lane).Inc()
	}
}

func resultOf(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, sms.ErrUnknownOutcome):
		return "unknown"
	case errors.Is(err, sms.ErrThrottled):
		return "throttled"
	case errors.Is(err, sms.ErrPermanent):
		return "permanent"
	case errors.Is(err, sms.ErrBindFailed):
		return "bind_failed"
	default:
		return "temporary"
	}
}

// codeOf names an error's code for the failures metric: the SMPP
// command_status name when there is one (ESME_RTHROTTLED), else the
// error class, so the label set stays small whatever the error says.
func codeOf(err error) string {
	var se *smpp.StatusError
	if errors.As(err, &se) {
		return se.Status.String()
	}
	return resultOf(err)
}
