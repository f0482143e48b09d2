package isp_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// session reads one session's stored counters and end.
func (b *bundle) session(t testing.TB, id string) (in, out int64, stopped bool, cause string) {
	t.Helper()
	var stop *int64
	err := b.db.Read().QueryRow(`SELECT input_bytes, output_bytes, stopped_at, terminate_cause FROM isp_sessions WHERE session_id = $1`, id).Scan(&in, &out, &stop, &cause)
	if err != nil {
		t.Fatal(err)
	}
	return in, out, stop != nil, cause
}

// Counters are cumulative: the last ones are kept and only the difference
// is billed, gigawords included; repeats, late and out-of-order packets
// bill nothing.
func TestAccountCounters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.pay(t, "SKR0000801", "bob", kes(2000))
		const gw = int64(1) << 32 // Acct-Input-Gigawords counts these
		steps := []struct {
			status  radius.AcctStatus
			in, out int64
			used    int64
		}{
			{radius.AcctStart, 0, 0, 0},
			{radius.AcctInterim, 100 * isp.MB, 200 * isp.MB, 300 * isp.MB},
			{radius.AcctInterim, 100 * isp.MB, 200 * isp.MB, 300 * isp.MB}, // a retransmit
			{radius.AcctInterim, 2*gw + 5, 3*gw + 7, 5*gw + 12},            // past 4 GiB both ways
			{radius.AcctInterim, 150 * isp.MB, 300 * isp.MB, 5*gw + 12},    // an old one, late
			{radius.AcctStop, 2*gw + 1005, 3*gw + 2007, 5*gw + 3012},
			{radius.AcctInterim, 3 * gw, 4 * gw, 5*gw + 3012}, // after the Stop
			{radius.AcctStop, 2*gw + 1005, 3*gw + 2007, 5*gw + 3012},
		}
		for i, s := range steps {
			b.clock.Add(time.Minute)
			if res := b.acct(t, s.status, "bob", "80000001", s.in, s.out); res.Disconnect || res.NewRateLimit != "" {
				t.Fatalf("step %d: %+v", i, res)
			}
			if used := b.live(t, b.bob).DataUsed; used != s.used {
				t.Fatalf("step %d: %d bytes billed, want %d", i, used, s.used)
			}
		}
		in, out, stopped, cause := b.session(t, "80000001")
		if in != 2*gw+1005 || out != 3*gw+2007 || !stopped || cause != "Stop" {
			t.Fatalf("session: in %d out %d stopped %v %q", in, out, stopped, cause)
		}
		// A session first heard of by an Interim (its Start lost) bills
		// all its counters; one of a stranger bills nobody.
		b.acct(t, radius.AcctInterim, "bob", "80000002", 10*isp.MB, 0)
		if used := b.live(t, b.bob).DataUsed; used != 5*gw+3012+10*isp.MB {
			t.Fatalf("lost Start: %d", used)
		}
		b.acct(t, radius.AcctStart, "mallory", "80000003", 0, 0)
		if _, err := b.svc.Account(ctx, radius.AcctRecord{NAS: b.nas, Status: 9, Username: "bob", SessionID: "x"}); err == nil {
			t.Fatal("an unknown status type was taken")
		}
		if _, err := b.svc.Account(ctx, radius.AcctRecord{NAS: b.nas, Status: radius.AcctStart, Username: "bob"}); err == nil {
			t.Fatal("a packet without Acct-Session-Id was taken")
		}
		// Text that is not UTF-8 is stored, not refused with the batch.
		b.acct(t, radius.AcctStart, "bob\xff", "id\xfe", 0, 0)

		// A router that reboots says so (Accounting-On): its sessions end.
		b.acct(t, radius.AcctStart, "bob", "80000004", 0, 0)
		if _, err := b.svc.Account(ctx, radius.AcctRecord{NAS: b.nas, Status: 7, At: b.clock.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if _, _, stopped, cause := b.session(t, "80000004"); !stopped || cause != "NAS-Reboot" {
			t.Fatalf("after Accounting-On: stopped %v %q", stopped, cause)
		}
		b.checkBooks(t)
	})
}

// A session not heard of for three interim intervals is closed by the
// sweep (never deleted), which frees its place for another device.
func TestStaleSessionClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.pay(t, "SKR0000901", "alice", kes(50))
		b.acct(t, radius.AcctStart, "alice", "a1", 0, 0)
		last := b.clock.Add(time.Minute)
		b.acct(t, radius.AcctInterim, "alice", "a1", isp.MB, isp.MB)
		b.clock.Add(15 * time.Minute) // three intervals of 5 minutes
		b.sweep(t)
		if _, _, stopped, _ := b.session(t, "a1"); stopped {
			t.Fatal("closed after exactly three intervals")
		}
		if d := b.auth(t, "alice", pap(password), "AA:09"); d.Verdict != radius.Reject {
			t.Fatalf("a second device while the first is open: %+v", d)
		}
		b.clock.Add(time.Second)
		b.sweep(t)
		var stoppedAt int64
		var cause string
		b.db.Read().QueryRow(`SELECT stopped_at, terminate_cause FROM isp_sessions WHERE session_id = 'a1'`).Scan(&stoppedAt, &cause)
		if cause != "Stale" || stoppedAt != store.Micros(last) {
			t.Fatalf("closed as %q at %d; want Stale at its last packet %d", cause, stoppedAt, store.Micros(last))
		}
		if d := b.auth(t, "alice", pap(password), "AA:09"); d.Verdict != radius.Accept {
			t.Fatalf("after the sweep: %+v", d)
		}
	})
}

// Crossing the bundle's data mid-session: at 80% a warning, at 100% the
// session is disconnected (and the subscriber's others queued for it)
// unless the wallet renews the bundle; a plan with a fallback falls back.
func TestAccountQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.pay(t, "SKR0001001", "alice", kes(50))
		b.acct(t, radius.AcctStart, "alice", "q1", 0, 0)
		b.acct(t, radius.AcctStart, "alice", "q2", 0, 0) // the same device, twice
		if res := b.acct(t, radius.AcctInterim, "alice", "q1", 100*isp.MB, 700*isp.MB); res.Disconnect {
			t.Fatal("disconnected at 80%")
		}
		msgs := b.messages(t, alicePhone)
		if !strings.Contains(msgs[len(msgs)-1], "alice has used 80% of the Daily 1 GB data: 200 MB left until 16/05/2025 10:00.") {
			t.Fatalf("80%% alert: %q", msgs[len(msgs)-1])
		}
		b.acct(t, radius.AcctInterim, "alice", "q1", 100*isp.MB, 750*isp.MB)
		if n := len(b.messages(t, alicePhone)); n != len(msgs) {
			t.Fatal("the 80% alert came twice")
		}
		res := b.acct(t, radius.AcctInterim, "alice", "q1", 150*isp.MB, 900*isp.MB)
		if !res.Disconnect {
			t.Fatalf("crossing the quota: %+v", res)
		}
		if sub := b.live(t, b.alice); sub.State != isp.Suspended {
			t.Fatalf("after the quota: %s", sub.State)
		}
		if m := b.messages(t, alicePhone); !strings.Contains(m[len(m)-1], "alice has used all the Daily 1 GB data. For more, pay KES 50.00 to Paybill 600100, account alice.") {
			t.Fatalf("100%% alert: %q", m[len(m)-1])
		}
		// The other session is queued for a Disconnect; this one is not,
		// its answer carries it.
		var queued []string
		rows, _ := db.Read().Query(`SELECT session_id FROM isp_changes WHERE disconnect = 1 AND state = 'pending'`)
		for rows.Next() {
			var s string
			rows.Scan(&s)
			queued = append(queued, s)
		}
		rows.Close()
		if len(queued) != 1 || queued[0] != "q2" {
			t.Fatalf("disconnects queued for %v; want q2", queued)
		}
		// A retransmit of that packet bills nothing more.
		if res := b.acct(t, radius.AcctInterim, "alice", "q1", 150*isp.MB, 900*isp.MB); res.Disconnect {
			t.Fatal("the retransmit was disconnected again")
		}

		// With the wallet holding a day's price, the bundle renews itself.
		b.pay(t, "SKR0001002", "alice", kes(100)) // buys one day, keeps 50
		b.acct(t, radius.AcctStart, "alice", "q3", 0, 0)
		if res := b.acct(t, radius.AcctInterim, "alice", "q3", 0, isp.GB+5); res.Disconnect {
			t.Fatalf("renewed from the wallet, yet disconnected: %+v", res)
		}
		sub := b.live(t, b.alice)
		if sub.State != isp.Active || sub.DataUsed != 0 || b.wallet(t, b.alice) != 0 {
			t.Fatalf("renewed: %s, used %d, wallet %s", sub.State, sub.DataUsed, b.wallet(t, b.alice))
		}

		// A week bundle with a fallback: used up, it falls back to the
		// free plan rather than suspending.
		b.pay(t, "SKR0001003", "bob", kes(300))
		if _, err := b.svc.Buy(ctx, b.bob.ID, "bob", week.ID, "bob"); err != nil {
			t.Fatal(err)
		}
		b.acct(t, radius.AcctStart, "bob", "w1", 0, 0)
		if res := b.acct(t, radius.AcctInterim, "bob", "w1", 0, 5*isp.GB); !res.Disconnect {
			t.Fatalf("week used up: %+v", res)
		}
		if sub := b.live(t, b.bob); sub.State != isp.Active || sub.PlanID != free.ID {
			t.Fatalf("after the week: %s on %s", sub.State, sub.PlanID)
		}
		if d := b.auth(t, "bob", pap(password), "AA:BB:CC:00:00:01"); d.Verdict != radius.Accept || d.RateLimit != "64k/64k" {
			t.Fatalf("on the fallback: %+v", d)
		}
		// Paying again buys back the week, not the free plan.
		b.pay(t, "SKR0001004", "bob", kes(300))
		if sub := b.live(t, b.bob); sub.PlanID != week.ID || sub.DataLimit != 5*isp.GB || b.wallet(t, b.bob) != 0 {
			t.Fatalf("paid on the fallback: %s, data %d, wallet %s", sub.PlanID, sub.DataLimit, b.wallet(t, b.bob))
		}
		b.checkBooks(t)
	})
}

// Past the fair-use threshold, the session's answer carries the lower
// speed and the subscriber's other sessions get a CoA with it.
func TestAccountFairUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.pay(t, "SKR0001101", "bob", kes(2000))
		b.acct(t, radius.AcctStart, "bob", "f1", 0, 0)
		b.acct(t, radius.AcctStart, "bob", "f2", 0, 0)
		if res := b.acct(t, radius.AcctInterim, "bob", "f1", 0, 99*isp.GB); res.NewRateLimit != "" {
			t.Fatalf("slowed before the threshold: %+v", res)
		}
		res := b.acct(t, radius.AcctInterim, "bob", "f1", isp.GB, 99*isp.GB)
		if res.NewRateLimit != "1M/2M" || res.Disconnect {
			t.Fatalf("crossing fair use: %+v", res)
		}
		if res := b.acct(t, radius.AcctInterim, "bob", "f1", 2*isp.GB, 99*isp.GB); res.NewRateLimit != "" {
			t.Fatalf("slowed again: %+v", res)
		}
		var session, rate string
		var n int
		b.db.Read().QueryRow(`SELECT count(*), MIN(session_id), MIN(rate_limit) FROM isp_changes WHERE disconnect = 0`).Scan(&n, &session, &rate)
		if n != 1 || session != "f2" || rate != "1M/2M" {
			t.Fatalf("CoA queued: %d for %s at %s; want one for f2 at 1M/2M", n, session, rate)
		}
		if d := b.auth(t, "bob", pap(password), "AA:BB:CC:00:00:01"); d.RateLimit != "1M/2M" {
			t.Fatalf("a new login past fair use: %+v", d)
		}
		if sub := b.live(t, b.bob); !sub.Throttled || sub.State != isp.Active {
			t.Fatalf("subscription %+v", sub)
		}
		if txt, _ := b.svc.UsageText(context.Background(), bobPhone, "en", nil); !strings.Contains(txt, "Data: unlimited. (fair-use speed) Until 15/06/2025 10:00.") {
			t.Fatalf("usage: %q", txt)
		}
	})
}

// Packets of many sessions at once, as a busy router sends them, are
// written in batches and each billed once.
func TestAccountConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.pay(t, "SKR0001201", "bob", kes(2000))
		done := make(chan error)
		const sessions, packets = 20, 10
		for s := range sessions {
			go func() {
				var err error
				for p := 1; p <= packets && err == nil; p++ {
					// Each packet is sent twice, as a router retransmits.
					for range 2 {
						_, err = b.svc.Account(ctx, radius.AcctRecord{NAS: b.nas, Status: radius.AcctInterim, Username: "bob", SessionID: "c" + string(rune('a'+s)),
							InputBytes: int64(p) * isp.MB, OutputBytes: int64(p) * isp.MB, FramedIP: netip.MustParseAddr("10.0.0.1"), At: b.clock.Now()})
					}
				}
				done <- err
			}()
		}
		for range sessions {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		if used := b.live(t, b.bob).DataUsed; used != sessions*packets*2*isp.MB {
			t.Fatalf("billed %d bytes, want %d", used, sessions*packets*2*isp.MB)
		}
	})
}
