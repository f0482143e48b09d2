package outage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/outage"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// bigFeeder registers n customers, each with a phone and a meter on
// feeder BIG, in multi-row inserts.
func bigFeeder(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		if _, err := vend.SaveTariff(tx, "domestic", tariff.SampleYAML()); err != nil {
			return err
		}
		for start := 0; start < n; start += 200 {
			var cs, ps, ms []string
			var ca, pa, ma []any
			for i := start; i < min(n, start+200); i++ {
				id := fmt.Sprintf("c%07d", i)
				cs = append(cs, "("+store.Placeholders(len(ca)+1, 2)+", 'en', 1)")
				ca = append(ca, id, "Customer")
				ps = append(ps, "("+store.Placeholders(len(pa)+1, 2)+")")
				pa = append(pa, id, fmt.Sprintf("25473%07d", i))
				ms = append(ms, "("+store.Placeholders(len(ma)+1, 2)+", '123456', 1, 1, 2, 255, 2014, 'EA07', '02', 'domestic', 1, 1, 'Kibera', 'BIG')")
				ma = append(ma, fmt.Sprintf("9%010d", i), id)
			}
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO customers (id, name, language, created_at) VALUES ` + strings.Join(cs, ", "), ca},
				{`INSERT INTO customer_phones (customer_id, msisdn) VALUES ` + strings.Join(ps, ", "), pa},
				{`INSERT INTO meters (drn, customer_id, sgc, ti, krn, kt, ken, base_date, algorithm, dkga, tariff_id, created_at, updated_at, area, feeder) VALUES ` + strings.Join(ms, ", "), ma},
			} {
				if _, err := tx.Exec(q.sql, q.args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// reach declares an outage on feeder BIG and runs the sweep and delivery
// (to an in-process route) until every first notice is sent.
func reach(tb testing.TB, db *store.DB) outage.Reach {
	tb.Helper()
	ctx := context.Background()
	o, err := outage.Declare(ctx, db, outage.Outage{Level: outage.LevelFeeder, Place: "BIG"}, "staff:test")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := (&outage.Sweeper{DB: db, Quiet: notify.QuietHours{Off: true}}).Sweep(ctx); err != nil {
		tb.Fatal(err)
	}
	if db.Dialect == store.Postgres {
		// Autovacuum may be off: without statistics on the fresh queue
		// and notices the planner scans whole tables.
		if _, err := db.Write().Exec(`ANALYZE`); err != nil {
			tb.Fatal(err)
		}
	}
	w := &notify.Worker{DB: db, From: "MTEJA", Batch: 500, Routes: []notify.Route{{Name: "sink", Sender: &notify.Sink{}}}}
	for {
		r, err := outage.Measure(ctx, db, o.ID)
		if err != nil {
			tb.Fatal(err)
		}
		if r.Done() {
			return r
		}
		n, err := w.RunOnce(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			tb.Fatalf("delivery ran dry with %d of %d notices sent", r.Sent, r.Told)
		}
	}
}

// Every phone of a 2,500-customer feeder gets the first notice, and the
// time from confirmation to the last one sent is measured (logged, not
// asserted: BenchmarkFeederReach reports it).
func TestFeederReach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		bigFeeder(t, db, 2500) // two sweep transactions
		r := reach(t, db)
		if r.Told != 2500 || r.Sent != 2500 || r.Took <= 0 {
			t.Fatalf("reach %+v; want all 2500 told and sent", r)
		}
		t.Logf("%s: %d notices, confirmation to last sent %s", db.Dialect, r.Sent, r.Took)
	})
}

// BenchmarkFeederReach reports the time from confirming an outage on a
// feeder of 10,000 customers to its last notice handed to the SMS route
// (an in-process one: the SMSC's own rate is not measured).
func BenchmarkFeederReach(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			var total time.Duration
			for range b.N {
				b.StopTimer()
				db := storetest.Open(b, d)
				bigFeeder(b, db, 10_000)
				b.StartTimer()
				total += reach(b, db).Took
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/feeder")
		})
	}
}
