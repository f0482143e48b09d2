package app_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
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
	var downUSSD, downPortal, downValidation answer
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
			if o.down > 10*time.Second {
				// While it is down, a customer who buys on USSD or the
				// portal is told to try again in a minute, never a 500.
				downUSSD, downPortal = customerAnswers(t, a)
				// A validation is refused ("other error": no money
				// moves, M-Pesa tells the customer) after a few
				// seconds' wait, never a 500.
				c := app.DemoCustomers[1]
				status, reply, err := a.Post(a.CallbackURL("c2b/validation"), a.C2B(apptest.NewReceipt(), c.Meter, c.Phone, money.MustFromMajor(100)))
				downValidation = answer{status, string(reply)}
				if err != nil {
					downValidation.body = err.Error()
				}
			}
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

	if downUSSD.status != http.StatusOK || !strings.Contains(downUSSD.body, "END The service is restarting. Nothing was done. Please dial again in a minute.") {
		t.Errorf("USSD purchase while the database was down: %d %q", downUSSD.status, downUSSD.body)
	}
	if downPortal.status != http.StatusServiceUnavailable || !strings.Contains(downPortal.body, "Please try again in a minute.") {
		t.Errorf("portal while the database was down: %d %q", downPortal.status, downPortal.body)
	}
	if downValidation.status != http.StatusOK || !strings.Contains(downValidation.body, `"ResultCode":"C2B00016"`) {
		t.Errorf("C2B validation while the database was down: %d %q", downValidation.status, downValidation.body)
	}
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

type answer struct {
	status int
	body   string
}

// customerAnswers buys on USSD (whose menus read the customer's meters) and
// asks the portal for a sign-in code (which stores it), and returns both
// answers.
func customerAnswers(t *testing.T, a *apptest.App) (ussdAnswer, portalAnswer answer) {
	c := app.DemoCustomers[0]
	form := url.Values{"sessionId": {"ATUid_restart"}, "serviceCode": {"*384*123#"}, "phoneNumber": {"+" + c.Phone}, "networkCode": {"63902"}, "text": {"1*1*100*1"}}
	post := func(path string, form url.Values) answer {
		resp, err := a.HTTP.Post(a.URL()+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			return answer{body: err.Error()}
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, string(b)}
	}
	return post("/ussd/"+a.Config.USSDSecret, form), post("/login", url.Values{"phone": {c.Phone}})
}
