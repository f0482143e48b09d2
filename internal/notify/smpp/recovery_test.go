package smpp_test

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/notify/smpp/smsctest"
	"github.com/mteja/mteja/internal/notify/sms"
)

// recoveryScenario is an SMSC that throttles a share of submits for a
// while, then goes down, then comes back, while messages keep arriving at
// a steady rate until it is back.
type recoveryScenario struct {
	tps          float64       // the bind's configured rate
	offered      float64       // messages arriving per second
	throttleFor  time.Duration // throttling ThrottlePct of submits
	throttlePct  int
	downFor      time.Duration
	drainTimeout time.Duration
}

// recoveryRun is what one run measured, from the moment the SMSC listens
// again ("back").
type recoveryRun struct {
	backlog    int            // messages not yet accepted when the SMSC came back
	rebind     time.Duration  // back to the Client bound again
	drain      time.Duration  // back to the last message accepted
	perSecond  []int          // messages accepted in each second after back
	rates      []float64      // the Client's rate at each second after back
	throttled  int            // ESME_RTHROTTLED answers the SMSC gave
	bindFails  int64          // failed bind attempts
	logged     map[string]int // log records by message
	finalRate  float64        // the Client's rate once drained
	totalSends int
}

// drainRate is the backlog over the drain time, in messages per second.
func (r recoveryRun) drainRate() float64 {
	if r.drain <= 0 {
		return 0
	}
	return float64(r.backlog) / r.drain.Seconds()
}

// runRecovery plays sc against the test SMSC with a Client on the default
// rate and reconnect settings. Senders retry every failed message after
// 50 ms, as a delivery worker would (faster, so the Client is measured
// and not the worker's backoff).
func runRecovery(tb testing.TB, sc recoveryScenario) recoveryRun {
	tb.Helper()
	s := smsctest.Start(tb)
	s.Configure(smsctest.Settings{DropReceipts: smsctest.Ptr(true)})
	logs := &logCount{n: map[string]int{}}
	c, err := smpp.New(smpp.Config{Addr: s.Addr, SystemID: smsctest.SystemID, Password: smsctest.Password, TPS: sc.tps,
		Logger: slog.New(logs)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.WaitBound(ctx); err != nil {
		tb.Fatal(err)
	}

	queue := make(chan sms.Message, 100_000)
	var (
		mu       sync.Mutex
		accepted []time.Time
		sends    atomic.Int64
	)
	stop := make(chan struct{})
	var workers sync.WaitGroup
	for range 2 * 20 { // twice the default window
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				var msg sms.Message
				select {
				case msg = <-queue:
				case <-stop:
					return
				}
				for {
					sends.Add(1)
					if _, err := c.Send(context.Background(), msg); err == nil {
						break
					}
					select {
					case <-time.After(50 * time.Millisecond):
					case <-stop:
						return
					}
				}
				mu.Lock()
				accepted = append(accepted, time.Now())
				mu.Unlock()
			}
		}()
	}
	defer func() {
		close(stop)
		workers.Wait()
	}()
	acceptedCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(accepted)
	}

	// Messages arrive steadily until the SMSC is back.
	start := time.Now()
	var produced int
	produce := func(until time.Time) {
		for now := time.Now(); now.Before(until); now = time.Now() {
			for due := int(now.Sub(start).Seconds() * sc.offered); produced < due; produced++ {
				queue <- sms.Message{ID: fmt.Sprint(produced), To: fmt.Sprintf("25471%07d", produced), From: "KPLC", Text: "Tokeni: 1234 5678 9012 3456 7890"}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	s.ThrottleShare(sc.throttlePct)
	produce(start.Add(sc.throttleFor))
	s.Unthrottle()
	bindsBefore := c.Stats().Binds
	back := time.Now().Add(sc.downFor)
	s.Stop(sc.downFor)
	produce(back)

	var run recoveryRun
	run.backlog = produced - acceptedCount()
	// Watch the rebind and sample the rate each second until drained.
	deadline := back.Add(sc.drainTimeout)
	nextSample := back
	for acceptedCount() < produced {
		now := time.Now()
		if now.After(deadline) {
			tb.Fatalf("%d of %d messages still not accepted %v after the SMSC came back", produced-acceptedCount(), produced, sc.drainTimeout)
		}
		if run.rebind == 0 && c.Stats().Binds > bindsBefore {
			run.rebind = now.Sub(back)
		}
		if !now.Before(nextSample) {
			run.rates = append(run.rates, c.Stats().TPS)
			nextSample = nextSample.Add(time.Second)
		}
		time.Sleep(2 * time.Millisecond)
	}
	mu.Lock()
	times := append([]time.Time(nil), accepted...)
	mu.Unlock()
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	run.drain = times[len(times)-1].Sub(back)
	for _, at := range times {
		if at.Before(back) {
			continue
		}
		sec := int(at.Sub(back) / time.Second)
		for len(run.perSecond) <= sec {
			run.perSecond = append(run.perSecond, 0)
		}
		run.perSecond[sec]++
	}
	run.throttled = s.Counts().Throttled
	run.finalRate = c.Stats().TPS
	run.totalSends = int(sends.Load())
	run.bindFails = c.Stats().BindFailures
	run.logged = logs.counts()
	return run
}

// logCount counts log records by message.
type logCount struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *logCount) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCount) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logCount) WithGroup(string) slog.Handler            { return l }
func (l *logCount) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n[r.Message]++
	return nil
}

func (l *logCount) counts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.n)
}

// The scenario of a real incident: 500 submit/s allowed, 30% throttled for
// 2 s, then the SMSC down for 8 s with tokens still arriving (about 600
// queued by the time it is back).
var incident = recoveryScenario{
	tps: 500, offered: 75, throttleFor: 2 * time.Second, throttlePct: 30,
	downFor: 8 * time.Second, drainTimeout: 90 * time.Second,
}

// TestRecoveryAfterThrottleAndOutage logs how fast a backlog drains after
// the SMSC returns. It asserts what does not depend on the machine's
// speed: the throttling did slow the route, every message was accepted,
// the rate is back at the configured TPS once drained (the last throttle
// was 8 s earlier), and the rebind came within 2 s of the SMSC listening
// again (the reconnect backoff is capped at 1.5 s by default).
func TestRecoveryAfterThrottleAndOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("takes over 10 s: an 8 s SMSC outage")
	}
	run := runRecovery(t, incident)
	t.Logf("backlog %d at the SMSC's return; rebind after %v; drained after %v (%.0f msg/s); accepted per second after the return %v; rate each second %v; %d throttled, %d sends, %d failed binds",
		run.backlog, run.rebind.Round(time.Millisecond), run.drain.Round(time.Millisecond), run.drainRate(), run.perSecond, run.rates, run.throttled, run.totalSends, run.bindFails)
	if run.throttled == 0 {
		t.Fatal("the SMSC never throttled: the test proves nothing")
	}
	if run.backlog < 300 {
		t.Errorf("backlog %d at the SMSC's return: the outage queued too little to measure", run.backlog)
	}
	if run.rebind == 0 || run.rebind > 2*time.Second {
		t.Errorf("rebind %v after the SMSC listened again, want within 2 s", run.rebind)
	}
	// Many attempts against the dead SMSC, one warning for the outage.
	if run.bindFails < 3 {
		t.Errorf("%d failed bind attempts in an 8 s outage: the reconnect backoff is not being exercised", run.bindFails)
	}
	if n := run.logged["smpp bind failed; retrying quietly until it binds"]; n != 1 {
		t.Errorf("bind failure logged %d times over %d failed attempts, want once per outage (logs %v)", n, run.bindFails, run.logged)
	}
	if run.finalRate != incident.tps {
		t.Errorf("rate %v once drained, 8 s after the last throttle; want the configured %v", run.finalRate, incident.tps)
	}
}

// BenchmarkDrainAfterOutage reports the incident's drain time, rebind
// time and drain rate after the SMSC returns.
func BenchmarkDrainAfterOutage(b *testing.B) {
	var drain, rebind, rate float64
	for range b.N {
		run := runRecovery(b, incident)
		drain += run.drain.Seconds()
		rebind += run.rebind.Seconds()
		rate += run.drainRate()
		b.Logf("backlog %d, per second after return %v", run.backlog, run.perSecond)
	}
	n := float64(b.N)
	b.ReportMetric(drain/n, "drain_s")
	b.ReportMetric(rebind/n, "rebind_s")
	b.ReportMetric(rate/n, "drain_msg/s")
	b.ReportMetric(0, "ns/op")
}
