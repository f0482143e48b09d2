package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/notify/smpp/smsctest"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// outagePlan sizes one outage run. The delivery objective is shrunk from
// minutes to a second so that a short outage breaks it.
type outagePlan struct {
	rate     float64       // payments offered per second
	run      time.Duration // how long they are offered
	stopAt   time.Duration // when the SMSC stops, from the start of the load
	down     time.Duration // how long it stays down
	slo      time.Duration // token delivery objective
	window   time.Duration // the watchdog's judging window
	payments int
}

func outagePlanFor(long bool) outagePlan {
	p := outagePlan{rate: 150, run: 7 * time.Second, stopAt: 1500 * time.Millisecond, down: 2 * time.Second,
		slo: time.Second, window: 2 * time.Second}
	if long {
		// Sized so that the backlog, with a delay notice for each late
		// token, drains within seconds once the SMSC is back.
		p = outagePlan{rate: 200, run: 40 * time.Second, stopAt: 10 * time.Second, down: 10 * time.Second,
			slo: 2 * time.Second, window: 5 * time.Second}
	}
	p.payments = int(p.rate * p.run.Seconds())
	return p
}

// TestSMSCOutage vends under a steady payment load while the real SMSC
// (the Node test SMSC over SMPP) goes away for a while and comes back.
// Afterwards: no token message reached the SMSC twice and every token
// reached its handset (by its message, or by its delay notice when its
// message was in flight as the SMSC fell and may never have arrived);
// late token messages got exactly one delay notice each; a delivery
// incident was opened during the outage and closed after it; and every
// payment has one vend, the ledger balances.
//
// The watchdog runs here with a one-second objective and a fast check, on
// the app's database, as the app would run it with its own settings.
func TestSMSCOutage(t *testing.T) {
	t.Parallel()
	plan := outagePlanFor(longRun())
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			outageRun(t, d, plan)
		})
	}
}

func outageRun(t *testing.T, d store.Dialect, plan outagePlan) {
	ctx := context.Background()
	smsc := smsctest.Start(t)
	a := startOutageApp(t, d, smsc, plan)

	// The load: payments at a steady rate through the C2B endpoint.
	drns := outageMeters(t, a)
	url := a.CallbackURL("c2b/confirmation")
	client := &http.Client{Timeout: 20 * time.Second}
	sent := make([]int64, plan.payments) // nanoseconds since start
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	tick := time.NewTicker(time.Duration(float64(time.Second) / plan.rate))
	stopped := false
	for i := range plan.payments {
		<-tick.C
		if !stopped && time.Since(start) >= plan.stopAt {
			smsc.Stop(plan.down) // it returns at once; the SMSC comes back by itself
			stopped = true
		}
		wg.Add(1)
		sent[i] = int64(time.Since(start))
		go func() {
			defer wg.Done()
			if err := post(ctx, client, url, confirmation(i, drns[i%len(drns)])); err != nil {
				failed.Add(1)
			}
		}()
	}
	tick.Stop()
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d confirmations not acknowledged: the SMSC's outage must not touch payment intake", n)
	}
	t.Logf("%d payments in %v; SMSC down from %v for %v", plan.payments, time.Since(start).Round(time.Millisecond), plan.stopAt, plan.down)

	waitDelivered(t, ctx, a.DB, 60*time.Second)
	inc := waitIncidentClosed(t, ctx, a.DB, notify.KindDeliverySLO+notify.LaneToken, start.Add(plan.stopAt), 30*time.Second)
	t.Logf("incident %s: opened %v after the load began (SMSC down at %v), closed %v later: %s", inc.Kind,
		inc.OpenedAt.Sub(start).Round(time.Millisecond), plan.stopAt, inc.ClosedAt.Sub(inc.OpenedAt).Round(time.Millisecond), inc.Detail)

	checkOutageMessages(t, ctx, a.DB, smsc.Stats())

	var res Result
	res.Payments = plan.payments
	if err := measure(ctx, a.DB, start, sent, counts{}, &res); err != nil {
		t.Fatalf("measure: %v", err)
	}
	if err := res.Check(); err != nil {
		t.Error(err)
	}
}

// startOutageApp runs an app whose one SMS route is an SMPP bind to smsc,
// with delivery receipts wired and the worker's retry and circuit delays
// shortened to test scale.
func startOutageApp(t *testing.T, d store.Dialect, smsc *smsctest.SMSC, plan outagePlan) *app.App {
	t.Helper()
	ctx := context.Background()
	var worker atomic.Pointer[notify.Worker]
	c, err := smpp.New(smpp.Config{Addr: smsc.Addr, SystemID: smsctest.SystemID, Password: smsctest.Password,
		TPS: 5_000, Window: 128, ReconnectMin: 100 * time.Millisecond, ReconnectMax: 500 * time.Millisecond,
		OnReceipt: func(r sms.Receipt) {
			if w := worker.Load(); w != nil {
				w.OnReceipt("smpp")(r)
			}
		}})
	if err != nil {
		t.Fatalf("smpp: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DB: storetest.DSN(t, d), Utility: "Mteja Power", USSDCode: "*384*123#",
		SMSFrom: "MTEJA", VendingKey: app.DemoVendingKey, DarajaShortCodes: []string{"888880"}, DarajaAllow: peer.AllowList{Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, DarajaSecret: "outagetestsecret0123456789"}
	a, err := app.New(ctx, cfg, app.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Routes: []notify.Route{{Name: "smpp", Sender: c, Window: 128}}})
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	a.Delivery.RetryMin, a.Delivery.RetryMax = 100*time.Millisecond, 500*time.Millisecond
	a.Delivery.OpenMin, a.Delivery.OpenMax = 100*time.Millisecond, 500*time.Millisecond
	// The app's own watchdog (one per schema acts on PostgreSQL), on a
	// scale that fits a test.
	wd := a.Watchdog
	wd.Every, wd.Window, wd.Threshold, wd.MinMessages = 100*time.Millisecond, plan.window, 0.2, 10
	wd.SLO = map[string]time.Duration{notify.LaneToken: plan.slo}
	worker.Store(a.Delivery)
	if err := a.Start(ctx); err != nil {
		a.Close()
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// outageMeters seeds 200 meters, one customer with one phone each.
func outageMeters(t *testing.T, a *app.App) []string {
	t.Helper()
	drns, err := seed(context.Background(), a.DB, 200)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	if a.DB.Dialect == store.Postgres {
		if _, err := a.DB.Write().Exec(`ANALYZE`); err != nil {
			t.Fatalf("analyze: %v", err)
		}
	}
	return drns
}

// waitDelivered waits until every payment is vended and every message
// has left the queue.
func waitDelivered(t *testing.T, ctx context.Context, db *store.DB, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		received, queued, err := backlog(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if received == 0 && queued == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d payments not vended, %d messages still queued", limit, received, queued)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitIncidentClosed waits until an incident of kind that was open at
// some moment after since (the outage) is closed, and none of that kind
// is open, and returns it. An incident opened earlier, when the machine
// was slow, counts if it was still open when the outage began.
func waitIncidentClosed(t *testing.T, ctx context.Context, db *store.DB, kind string, since time.Time, limit time.Duration) notify.Incident {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		all, err := notify.Incidents(ctx, db, 100)
		if err != nil {
			t.Fatalf("incidents: %v", err)
		}
		var seen []string
		var found *notify.Incident
		open := false
		for _, inc := range all {
			seen = append(seen, fmt.Sprintf("%s opened %s open=%v", inc.Kind, inc.OpenedAt.Format("15:04:05.000"), inc.Open()))
			switch {
			case inc.Kind != kind:
			case inc.Open():
				open = true
			case inc.ClosedAt.After(since) && found == nil:
				found = &inc
			}
		}
		if found != nil && !open {
			return *found
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v no %s incident open during the outage (from %s) and closed since; incidents: %v",
				limit, kind, since.Format("15:04:05.000"), seen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkOutageMessages compares the outbox with what the SMSC accepted.
func checkOutageMessages(t *testing.T, ctx context.Context, db *store.DB, st smsctest.Stats) {
	t.Helper()
	// What the SMSC accepted, by text and by destination.
	accepted := map[string]int{}
	perDest := map[string]int{}
	for _, s := range st.Submits {
		if s.Status == 0 {
			accepted[s.Text]++
			perDest[s.Dest]++
		}
	}

	type msg struct {
		id, ref, template, recipient, state, body, lastError string
		noticed                                              bool
	}
	rows, err := db.Read().QueryContext(ctx, `SELECT id, ref, template, recipient, state, body, last_error, notice_at IS NOT NULL
		FROM messages WHERE template IN ('token', 'token_delayed')`)
	if err != nil {
		t.Fatalf("messages: %v", err)
	}
	var tokens []msg
	notices := map[string][]msg{} // by vend
	bodies := map[string]bool{}
	wantDest := map[string]int{}
	for rows.Next() {
		var m msg
		if err := rows.Scan(&m.id, &m.ref, &m.template, &m.recipient, &m.state, &m.body, &m.lastError, &m.noticed); err != nil {
			t.Fatalf("messages: %v", err)
		}
		bodies[m.body] = true
		if n := accepted[m.body]; n > 0 {
			wantDest[m.recipient] += n
		}
		if m.template == "token" {
			tokens = append(tokens, m)
		} else {
			notices[m.ref] = append(notices[m.ref], m)
		}
	}
	rows.Close()

	var errs []string
	for text, n := range accepted {
		if !bodies[text] {
			errs = append(errs, fmt.Sprintf("the SMSC accepted %d submits of a text no message has: %.60q", n, text))
		}
	}
	var noticed, recovered int
	for _, m := range tokens {
		ns := notices[m.ref]
		if m.noticed {
			noticed++
		}
		switch {
		case len(ns) > 1:
			errs = append(errs, fmt.Sprintf("vend %s: %d delay notices, want at most 1", m.ref, len(ns)))
		case len(ns) == 1 && !m.noticed:
			errs = append(errs, fmt.Sprintf("vend %s: a delay notice, but its token message is not marked noticed", m.ref))
		case len(ns) == 0 && m.noticed:
			errs = append(errs, fmt.Sprintf("vend %s: token message marked noticed, but no notice", m.ref))
		}
		if n := accepted[m.body]; n > 1 {
			errs = append(errs, fmt.Sprintf("token message %s (vend %s) accepted by the SMSC %d times", m.id, m.ref, n))
		}
		for _, nm := range ns {
			if n := accepted[nm.body]; n > 1 {
				errs = append(errs, fmt.Sprintf("delay notice %s (vend %s) accepted by the SMSC %d times", nm.id, m.ref, n))
			}
			if nm.recipient != m.recipient {
				errs = append(errs, fmt.Sprintf("delay notice %s went to another phone than its token message", nm.id))
			}
		}
		if accepted[m.body] == 1 {
			continue
		}
		// The token message never reached the SMSC. Only one whose submit
		// was on the wire as the SMSC fell may be so (its outcome unknown,
		// it is not sent again), and its delay notice must carry the token.
		switch {
		case m.state != notify.StateSubmitted:
			errs = append(errs, fmt.Sprintf("token message %s (vend %s) %s but never accepted by the SMSC", m.id, m.ref, m.state))
		case len(ns) != 1 || accepted[ns[0].body] != 1:
			errs = append(errs, fmt.Sprintf("token message %s (vend %s) lost in the outage (%s) and no delay notice reached the SMSC", m.id, m.ref, m.lastError))
		default:
			recovered++
		}
	}
	for dest, n := range perDest {
		if wantDest[dest] != n || st.PerDest[dest] != n {
			errs = append(errs, fmt.Sprintf("destination %s: the SMSC accepted %d (counted %d), the outbox accounts for %d", dest, n, st.PerDest[dest], wantDest[dest]))
		}
	}
	reportSome(t, "messages", errs)
	t.Logf("%d token messages, %d late with a delay notice, %d delivered only by their notice; SMSC accepted %d submits",
		len(tokens), noticed, recovered, len(st.Submits))
	if noticed == 0 {
		t.Errorf("no delay notice: the outage outlasted the %s objective, so late token messages should have had one", "token")
	}
	if st.Binds < 2 {
		t.Errorf("the SMSC saw one bind: the outage did not drop the route")
	}
}
