package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// PostgreSQL restarts twice while confirmations arrive eight at a time:
// once for about 2 s, which intake's retries ride through, and once for
// about 12 s, longer than Daraja waits, so that confirmations go to the
// spool. Every confirmation is acknowledged, every payment is vended
// exactly once, and the spool is empty at the end.
func TestConfirmationsRideThroughDatabaseRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a PostgreSQL server; not in -short")
	}
	pg := storetest.StartPostgres(t)
	a := apptest.Start(t, apptest.Options{Dialect: store.Postgres, DB: pg.DSN()})
	url := a.CallbackURL("c2b/confirmation")

	const total = 400
	type sent struct {
		receipt string
		c       app.DemoCustomer
		amount  money.Amount
	}
	work := make(chan sent)
	var done atomic.Int64
	var failures sync.Map
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for s := range work {
				status, reply, err := a.Post(url, a.C2B(s.receipt, s.c.Meter, s.c.Phone, s.amount))
				if err != nil || status != http.StatusOK || !strings.Contains(string(reply), `"ResultCode":0`) {
					failures.Store(s.receipt, fmt.Sprintf("%d %s %v", status, reply, err))
				}
				done.Add(1)
			}
		})
	}
	var outages sync.WaitGroup
	outages.Go(func() {
		for _, o := range []struct {
			after int64
			down  time.Duration
		}{{40, 2 * time.Second}, {240, 12 * time.Second}} {
			for done.Load() < o.after {
				time.Sleep(5 * time.Millisecond)
			}
			pg.Stop()
			time.Sleep(o.down)
			pg.Start()
		}
	})
	all := make([]sent, total)
	for i := range all {
		c := app.DemoCustomers[i%len(app.DemoCustomers)]
		all[i] = sent{apptest.NewReceipt(), c, money.MustFromMajor(int64(100 + i%50))}
		work <- all[i]
	}
	close(work)
	wg.Wait()
	outages.Wait()

	failures.Range(func(k, v any) bool {
		t.Errorf("confirmation %s not acknowledged: %s", k, v)
		return true
	})
	counts := &a.Intake.Counts
	apptest.Eventually(t, "the spool to be replayed", func() bool {
		return !a.Intake.Spool.Pending() && counts.Replayed.Load() >= counts.Spooled.Load()
	})
	t.Logf("retried %d, spooled %d, replayed %d", counts.Retried.Load(), counts.Spooled.Load(), counts.Replayed.Load())
	if counts.Spooled.Load() == 0 || counts.Replayed.Load() < counts.Spooled.Load() {
		t.Errorf("spooled %d, replayed %d during a 12 s outage; want some spooled, all replayed", counts.Spooled.Load(), counts.Replayed.Load())
	}
	for _, s := range all {
		p := a.WaitPayment(s.receipt, payment.Applied)
		if p.Amount != s.amount || p.MeterDRN != s.c.Meter {
			t.Errorf("%s stored as %s for %s; sent %s for %s", s.receipt, p.Amount, p.MeterDRN, s.amount, s.c.Meter)
		}
	}
	a.Settle()
	for q, want := range map[string]int{
		`SELECT count(*) FROM payments`: total,
		`SELECT count(*) FROM vends`:    total,
		`SELECT count(*) FROM tokens`:   total,
	} {
		if n := a.Count(q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	a.CheckBooks()
	// The workers logged errors while the database was down; that is
	// expected here, so the log is not checked.
	a.Close()
}
