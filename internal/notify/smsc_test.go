package notify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/httpsms"
	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/notify/smpp/smsctest"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// These tests run the worker against the real test SMSC (smsctest) and
// count at the SMSC what arrived, per destination.

// smppRoute binds to the SMSC with receipts going to w under name.
func smppRoute(t testing.TB, s *smsctest.SMSC, w *notify.Worker, name string, mod func(*smpp.Config)) *smpp.Client {
	t.Helper()
	cfg := smpp.Config{Addr: s.Addr, SystemID: smsctest.SystemID, Password: smsctest.Password,
		TPS: 1000, Window: 50, BindWait: -1, ReconnectMin: 50 * time.Millisecond, ReconnectMax: 200 * time.Millisecond,
		OnReceipt: w.OnReceipt(name)}
	if mod != nil {
		mod(&cfg)
	}
	c, err := smpp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WaitBound(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// httpRoute runs the gateway simulator, with its delivery reports going
// to w under name.
func httpRoute(t testing.TB, w *notify.Worker, name string) (*httpsms.Client, *httpsms.Simulator) {
	t.Helper()
	sim := httpsms.NewSimulator("mteja", "key")
	gw := httptest.NewServer(sim)
	onReceipt := w.OnReceipt(name)
	reports := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rec, err := httpsms.ParseDeliveryReport(r)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		onReceipt(rec)
	}))
	sim.SetCallback(reports.URL, 0)
	t.Cleanup(func() {
		sim.Close()
		gw.Close()
		reports.Close()
	})
	c, err := httpsms.New(httpsms.Config{BaseURL: gw.URL, Username: "mteja", APIKey: "key"})
	if err != nil {
		t.Fatal(err)
	}
	return c, sim
}

// run runs w until the test ends (before the routes close).
func run(t testing.TB, w *notify.Worker) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w.Run(ctx)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func states(t testing.TB, db *store.DB) map[string]int {
	t.Helper()
	rows, err := db.Read().Query(`SELECT state, count(*) FROM messages GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		out[s] = n
	}
	return out
}

func numbers(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}

func messages(lane string, to []string) []notify.Message {
	out := make([]notify.Message, len(to))
	for i, r := range to {
		out[i] = notify.Message{Recipient: r, Lane: lane, Body: "Mteja: message to " + r, Ref: r}
	}
	return out
}

// onceEach fails unless every number reached the SMSC exactly once.
func onceEach(t testing.TB, s *smsctest.SMSC, to []string) {
	t.Helper()
	per := s.Counts().PerDest
	for _, r := range to {
		if per[r] != 1 {
			t.Errorf("%s reached the SMSC %d times, want once", r, per[r])
		}
	}
}

func counter(t testing.TB, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func histogramCount(t testing.TB, h *prometheus.HistogramVec, lane string) uint64 {
	t.Helper()
	var m dto.Metric
	if err := h.WithLabelValues(lane).(prometheus.Histogram).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount()
}

func TestSMSCDeliversWithReceipts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := smsctest.Start(t)
		w := &notify.Worker{DB: db, From: "MTEJA", Metrics: notify.NewMetrics()}
		w.Routes = []notify.Route{{Name: "smpp", Sender: smppRoute(t, s, w, "smpp", nil)}}
		tokens, others := numbers("2547110", 30), numbers("2547120", 30)
		enqueue(t, db, append(messages(notify.LaneToken, tokens), messages(notify.LaneTransactional, others)...)...)
		run(t, w)
		eventually(t, "60 messages delivered", func() bool { return states(t, db)[notify.StateDelivered] == 60 })
		onceEach(t, s, append(tokens, others...))
		m := get(t, db, tokens[0])
		if m.Route != "smpp" || m.ProviderID == "" || m.SubmittedAt.IsZero() || m.DeliveredAt.Before(m.SubmittedAt) {
			t.Errorf("delivered message: %+v", m)
		}
		if n := counter(t, w.Metrics.Submits.WithLabelValues("smpp", "ok")); n != 60 {
			t.Errorf("submits counted: %v, want 60", n)
		}
		if n := histogramCount(t, w.Metrics.QueuedToDelivered, notify.LaneToken); n != 30 {
			t.Errorf("token latencies observed: %d, want 30", n)
		}
		if n := histogramCount(t, w.Metrics.SubmittedToDelivered, notify.LaneTransactional); n != 30 {
			t.Errorf("transactional latencies observed: %d, want 30", n)
		}
	})
}

// The SMSC drops every connection with three submits unanswered, and
// refuses binds for a while; messages queued meanwhile wait. Afterwards
// each message has reached the SMSC exactly once: the three in flight are
// not resent (they did arrive), the rest go when it is back.
func TestSMSCDownThenBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := smsctest.Start(t)
		w := &notify.Worker{DB: db, From: "MTEJA", Metrics: notify.NewMetrics(), OpenMin: 100 * time.Millisecond, OpenMax: 300 * time.Millisecond,
			RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond, Poll: 20 * time.Millisecond}
		c := smppRoute(t, s, w, "smpp", nil)
		w.Routes = []notify.Route{{Name: "smpp", Sender: c}}
		s.Blackhole(3)
		inFlight := numbers("2547130", 3)
		enqueue(t, db, messages(notify.LaneTransactional, inFlight)...)
		run(t, w)
		eventually(t, "3 submits at the SMSC", func() bool { return s.Counts().Total == 3 })
		s.Stop(1500 * time.Millisecond)
		eventually(t, "the client sees the outage", func() bool { return !c.Stats().Bound })
		during := numbers("2547140", 100)
		enqueue(t, db, messages(notify.LaneTransactional, during)...)
		w.Wake()
		eventually(t, "100 delivered after the outage", func() bool { return states(t, db)[notify.StateDelivered] == 100 })
		st := states(t, db)
		if st[notify.StateSubmitted] != 3 || st[notify.StateQueued] != 0 {
			t.Errorf("states %v: want the 3 in flight submitted (outcome unknown) and none queued", st)
		}
		for _, r := range inFlight {
			if m := get(t, db, r); m.LastError == "" {
				t.Errorf("in-flight %s: no error recorded: %+v", r, m)
			}
		}
		onceEach(t, s, append(inFlight, during...))
		if n := counter(t, w.Metrics.Submits.WithLabelValues("smpp", "temporary")); n == 0 {
			t.Error("no send failed during the outage: the test proves nothing")
		}
	})
}

// The SMSC throttles above 30 submits a second; the route slows down and
// every message still arrives once.
func TestSMSCThrottling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := smsctest.Start(t)
		w := &notify.Worker{DB: db, From: "MTEJA", RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond, Poll: 20 * time.Millisecond}
		w.Routes = []notify.Route{{Name: "smpp", Sender: smppRoute(t, s, w, "smpp", func(c *smpp.Config) { c.TPS = 100 })}}
		s.ThrottleRate(30)
		to := numbers("2547150", 40)
		enqueue(t, db, messages(notify.LaneTransactional, to)...)
		run(t, w)
		eventually(t, "40 delivered", func() bool { return states(t, db)[notify.StateDelivered] == 40 })
		if s.Counts().Throttled == 0 {
			t.Fatal("the SMSC throttled nothing: the test proves nothing")
		}
		onceEach(t, s, to)
	})
}

// SMPP down: the HTTP gateway takes the traffic at once.
func TestFailoverSMPPDownToHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := smsctest.Start(t)
		w := &notify.Worker{DB: db, From: "MTEJA", Poll: 20 * time.Millisecond}
		c := smppRoute(t, s, w, "smpp", nil)
		hc, sim := httpRoute(t, w, "http")
		w.Routes = []notify.Route{{Name: "smpp", Sender: c}, {Name: "http", Sender: hc}}
		run(t, w)
		before := numbers("2547160", 5)
		enqueue(t, db, messages(notify.LaneToken, before)...)
		w.Wake()
		eventually(t, "5 delivered by SMPP", func() bool { return states(t, db)[notify.StateDelivered] == 5 })

		s.Stop(time.Minute)
		eventually(t, "the client sees the outage", func() bool { return !c.Stats().Bound })
		after := numbers("2547170", 10)
		enqueue(t, db, messages(notify.LaneToken, after)...)
		w.Wake()
		eventually(t, "15 delivered", func() bool { return states(t, db)[notify.StateDelivered] == 15 })
		for _, r := range before {
			if m := get(t, db, r); m.Route != "smpp" {
				t.Errorf("%s went by %s before the outage", r, m.Route)
			}
		}
		for _, r := range after {
			if m := get(t, db, r); m.Route != "http" {
				t.Errorf("%s went by %s during the outage", r, m.Route)
			}
		}
		if n := len(sim.Messages()); n != 10 {
			t.Errorf("gateway got %d messages, want 10", n)
		}
		onceEach(t, s, before)
	})
}

// The SMSC takes messages but its receipts stop: after ReceiptTimeout the
// route is silent and the gateway takes over.
func TestFailoverWhenReceiptsStop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(db)
		s := smsctest.Start(t)
		s.Configure(smsctest.Settings{DropReceipts: smsctest.Ptr(true)})
		w := &notify.Worker{DB: db, From: "MTEJA", ReceiptTimeout: time.Minute}
		c := smppRoute(t, s, w, "smpp", nil)
		hc, _ := httpRoute(t, w, "http")
		w.Routes = []notify.Route{{Name: "smpp", Sender: c}, {Name: "http", Sender: hc}}
		run(t, w)
		first := numbers("2547180", 5)
		enqueue(t, db, messages(notify.LaneToken, first)...)
		w.Wake()
		eventually(t, "5 submitted", func() bool { return states(t, db)[notify.StateSubmitted] == 5 })
		clk.Add(2 * time.Minute)
		if err := w.CheckRoutes(ctx); err != nil {
			t.Fatal(err)
		}
		if st := w.RouteStatus(); !st[0].Silent || !st[1].Up() {
			t.Fatalf("routes: %+v", st)
		}
		next := numbers("2547190", 5)
		enqueue(t, db, messages(notify.LaneToken, next)...)
		w.Wake()
		eventually(t, "5 delivered by the gateway", func() bool { return states(t, db)[notify.StateDelivered] == 5 })
		for _, r := range next {
			if m := get(t, db, r); m.Route != "http" || m.State != notify.StateDelivered {
				t.Errorf("%s: %s by %s", r, m.State, m.Route)
			}
		}
		onceEach(t, s, first)
		inc, err := notify.OpenIncidents(ctx, db)
		if err != nil || len(inc) != 1 || inc[0].Kind != notify.KindRouteSilent+"smpp" {
			t.Errorf("open incidents: %+v %v", inc, err)
		}
	})
}
