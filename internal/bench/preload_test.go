package bench

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// TestPreload checks that preloaded history is consistent, as the vend
// path would have left it: one applied payment, one vend, one credit token
// and one delivered token message a vend, unique receipts, balanced books
// with both the payment's and the vend's transaction, and each meter's
// last TID that of its newest token.
func TestPreload(t *testing.T) {
	t.Parallel()
	const n = 3_000
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := seed(ctx, db, 10); err != nil {
			t.Fatal(err)
		}
		pre, err := Preload(ctx, db, n)
		if err != nil {
			t.Fatalf("preload: %v", err)
		}
		if pre.Vends != n || pre.Meters != n/vendsPerMeter {
			t.Errorf("preloaded %+v, want %d vends on %d meters", pre, n, n/vendsPerMeter)
		}
		for _, c := range []struct {
			what, query string
			want        int
		}{
			{"applied payments", `SELECT count(*) FROM payments WHERE state = 'applied' AND receipt LIKE 'PREL%'`, n},
			{"distinct receipts", `SELECT count(DISTINCT receipt) FROM payments`, n},
			{"vends", `SELECT count(*) FROM vends v JOIN payments p ON p.id = v.payment_id AND p.amount = v.amount AND p.meter_drn = v.meter_drn`, n},
			{"credit tokens", `SELECT count(*) FROM tokens t JOIN vends v ON v.id = t.vend_id WHERE t.kind = 'credit' AND t.meter_drn = v.meter_drn`, n},
			{"delivered token messages", `SELECT count(*) FROM messages m JOIN vends v ON v.id = m.ref WHERE m.template = 'token' AND m.lane = 'token' AND m.state = 'delivered' AND m.submitted_at > v.created_at`, n},
			{"messages to send", `SELECT count(*) FROM messages WHERE state = 'queued'`, 0},
			{"payments' transactions", `SELECT count(DISTINCT txn_id) FROM ledger_postings WHERE kind = 'payment'`, n},
			{"vends without their journal", `SELECT count(*) FROM vends v WHERE NOT EXISTS (SELECT 1 FROM ledger_postings l WHERE l.txn_id = v.journal_id AND l.kind = 'vends')`, 0},
			{"customers with a phone and a meter", `SELECT count(*) FROM customers c JOIN customer_phones p ON p.customer_id = c.id JOIN meters m ON m.customer_id = c.id WHERE c.name LIKE 'Preloaded%'`, n / vendsPerMeter},
			{"meters whose last TID is not their newest token's", `SELECT count(*) FROM meters m JOIN (SELECT meter_drn, max(tid) AS tid FROM tokens GROUP BY meter_drn) t ON t.meter_drn = m.drn WHERE m.last_tid <> t.tid`, 0},
		} {
			var got int
			if err := db.Read().QueryRowContext(ctx, c.query).Scan(&got); err != nil {
				t.Fatalf("%s: %v", c.what, err)
			}
			if got != c.want {
				t.Errorf("%s: %d, want %d", c.what, got, c.want)
			}
		}
		if err := ledger.Check(ctx, db.Read()); err != nil {
			t.Error(err)
		}
		bal, err := ledger.Balances(ctx, db.Read())
		if err != nil {
			t.Fatal(err)
		}
		// Every payment was vended: nothing is left in customer credit, and
		// the clearing account holds what was paid.
		var paid int64
		if err := db.Read().QueryRowContext(ctx, `SELECT sum(amount) FROM payments`).Scan(&paid); err != nil {
			t.Fatal(err)
		}
		if bal[ledger.CustomerCredit] != 0 || int64(bal[ledger.MpesaClearing]) != paid {
			t.Errorf("customer credit %d, M-Pesa clearing %d; want 0 and %d paid", bal[ledger.CustomerCredit], bal[ledger.MpesaClearing], paid)
		}
	})
}

// TestVendAfterPreload runs the vend bench on a preloaded database: the
// run's counts are its own (the preloaded rows are not counted), every
// payment is vended once and its token SMS submitted once, nothing is left
// queued, and the end-to-end rate, counted from the SMS submission times,
// cannot exceed the vend rate: each SMS follows its vend, and there are no
// more SMS than vends.
func TestVendAfterPreload(t *testing.T) {
	t.Parallel()
	const payments, preload = 1_000, 4_000
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			res, err := Vend(context.Background(), Options{Payments: payments, Preload: preload, Meters: 100, Concurrency: 16, DB: storetest.DSN(t, d)})
			if err != nil {
				t.Fatalf("vend: %v", err)
			}
			t.Logf("%s: %d payments on %d preloaded vends: %.0f vends/s, end to end %.0f/s, SMS p99 %.1f ms, peak RSS %.0f MB",
				d, res.Payments, preload, res.VendsPerSecond, res.EndToEnd, res.SMSP99, res.PeakRSS)
			if err := res.Check(); err != nil {
				t.Error(err)
			}
			if res.Preloaded == nil || res.Preloaded.Vends != preload {
				t.Errorf("preloaded %+v, want %d vends", res.Preloaded, preload)
			}
			if res.Payments != payments || res.Stored != payments || res.Messages != payments || res.SMSSubmitted != payments {
				t.Errorf("payments %d, stored %d, token messages %d, SMS submitted %d; want %d of each",
					res.Payments, res.Stored, res.Messages, res.SMSSubmitted, payments)
			}
			if res.Backlog != 0 {
				t.Errorf("%d token messages still queued", res.Backlog)
			}
			if res.EndToEnd <= 0 || res.EndToEnd > res.VendsPerSecond {
				t.Errorf("end to end %.1f/s, want above 0 and at most the vend rate %.1f/s", res.EndToEnd, res.VendsPerSecond)
			}
			if res.PeakRSS <= 0 {
				t.Errorf("peak RSS %.1f MB", res.PeakRSS)
			}
		})
	}
}

// TestVendSustain offers payments for a duration at a rate: the run sends
// what the duration allows (never more than the rate times the duration,
// plus the first), and every one of them is vended and messaged once.
func TestVendSustain(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			res, err := Vend(context.Background(), Options{Rate: 200, Sustain: 1500 * time.Millisecond, Meters: 50, Concurrency: 8, DB: storetest.DSN(t, d)})
			if err != nil {
				t.Fatalf("vend: %v", err)
			}
			if res.Payments <= 0 || res.Payments > 301 {
				t.Errorf("%d payments offered in 1.5 s at 200/s", res.Payments)
			}
			if err := res.Check(); err != nil {
				t.Error(err)
			}
			if res.SMSSubmitted != res.Payments || res.Backlog != 0 {
				t.Errorf("%d SMS submitted, %d queued, for %d payments", res.SMSSubmitted, res.Backlog, res.Payments)
			}
		})
	}
}
