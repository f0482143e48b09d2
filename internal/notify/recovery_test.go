package notify_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/notify/smpp/smsctest"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// TestTokenBacklogAfterSMSCOutage plays an incident with the worker and
// the SMPP route on their default timings (only the bind's rate is set,
// 500 submit/s): the SMSC throttles 30% of submits for 2 s, then is down
// for 8 s while tokens keep coming at 75 a second. It logs how long the
// queue takes to empty once the SMSC is back, and asserts only what does
// not depend on the machine's speed: it empties, and no token reaches the
// SMSC twice.
func TestTokenBacklogAfterSMSCOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("takes over 10 s: an 8 s SMSC outage")
	}
	db := storetest.Open(t, store.SQLite)
	s := smsctest.Start(t)
	w := &notify.Worker{DB: db, From: "MTEJA", Metrics: notify.NewMetrics()}
	c := smppRoute(t, s, w, "smpp", func(cfg *smpp.Config) {
		// The defaults, but for the rate the operator allows.
		*cfg = smpp.Config{Addr: cfg.Addr, SystemID: cfg.SystemID, Password: cfg.Password, OnReceipt: cfg.OnReceipt, TPS: 500}
	})
	w.Routes = []notify.Route{{Name: "smpp", Sender: c}}
	run(t, w)

	const perSecond, throttleFor, downFor = 75, 2 * time.Second, 8 * time.Second
	start := time.Now()
	var to []string
	arrive := func(until time.Time) {
		for now := time.Now(); now.Before(until); now = time.Now() {
			var batch []string
			for due := int(now.Sub(start).Seconds() * perSecond); len(to)+len(batch) < due; {
				batch = append(batch, fmt.Sprintf("254720%06d", len(to)+len(batch)))
			}
			if len(batch) > 0 {
				enqueue(t, db, messages(notify.LaneToken, batch)...)
				to = append(to, batch...)
				w.Wake()
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	s.ThrottleShare(30)
	arrive(start.Add(throttleFor))
	s.Unthrottle()
	back := time.Now().Add(downFor)
	s.Stop(downFor)
	arrive(back)

	queued := func() int { return states(t, db)[notify.StateQueued] }
	backlog := queued()
	var perSec []int // still queued at each second after the SMSC's return
	for next := back; queued() > 0; time.Sleep(20 * time.Millisecond) {
		if time.Since(back) > 90*time.Second {
			t.Fatalf("%d tokens still queued 90 s after the SMSC came back", queued())
		}
		if now := time.Now(); !now.Before(next) {
			perSec = append(perSec, queued())
			next = next.Add(time.Second)
		}
	}
	drain := time.Since(back)
	t.Logf("%d tokens, %d queued when the SMSC came back; queue empty %v later (%.0f/s); still queued each second: %v; states %v; %d throttled",
		len(to), backlog, drain.Round(10*time.Millisecond), float64(backlog)/drain.Seconds(), perSec, states(t, db), s.Counts().Throttled)
	if backlog < 300 {
		t.Errorf("only %d queued at the SMSC's return: the outage did not build a backlog", backlog)
	}
	for dest, n := range s.Counts().PerDest {
		if n > 1 {
			t.Errorf("%s reached the SMSC %d times", dest, n)
		}
	}
}
