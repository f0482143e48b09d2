package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// restart starts a new app on the database and data directory of a closed
// one, as a node does after a crash.
func restart(t *testing.T, old *apptest.App) *apptest.App {
	t.Helper()
	return apptest.Start(t, apptest.Options{Dialect: old.Opts.Dialect, DB: old.Opts.DB, DataDir: old.Opts.DataDir})
}

// The node stops after acknowledging payments and before vending them: the
// callbacks are served and committed, but no vend worker runs. A new node
// on the same database vends each exactly once, and sends each token.
func TestCrashAfterAcknowledgeBeforeVend(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		first := apptest.Start(t, apptest.Options{Dialect: d, NoStart: true})
		ctx, stop := context.WithCancel(context.Background())
		var intake sync.WaitGroup
		intake.Go(func() { first.Intake.Run(ctx) })
		srv := httptest.NewServer(first.Mux) // the real handlers, without the workers
		url := srv.URL + "/daraja/" + first.Config.DarajaSecret + "/c2b/confirmation"

		receipts := map[string]app.DemoCustomer{}
		for i, c := range app.DemoCustomers {
			r := apptest.NewReceipt()
			receipts[r] = c
			status, reply, err := first.Post(url, first.C2B(r, c.Meter, c.Phone, money.MustFromMajor(int64(200+100*i))))
			if err != nil || status != http.StatusOK || !strings.Contains(string(reply), `"ResultCode":0`) {
				t.Fatalf("confirmation %s: %d %s %v", r, status, reply, err)
			}
		}
		// Acknowledged means stored: all three are waiting to be vended.
		if n := first.Count(`SELECT count(*) FROM payments WHERE state = 'received'`); n != len(receipts) {
			t.Fatalf("%d received payments before the crash, want %d", n, len(receipts))
		}
		srv.Close()
		stop()
		intake.Wait()
		first.Close()

		second := restart(t, first)
		for r, c := range receipts {
			second.WaitPayment(r, payment.Applied)
			v := second.VendOf(r)
			tok := v.Tokens[len(v.Tokens)-1]
			if _, err := second.Decode(c.Meter, tok.Digits); err != nil {
				t.Errorf("token of %s: %v", r, err)
			}
			second.WaitSMS(c.Phone, tok.Grouped())
		}
		second.Settle()
		second.Close()

		// Once more: nothing is left to do, and nothing is done twice.
		third := restart(t, second)
		third.Settle()
		if n := third.Count(`SELECT count(*) FROM vends`); n != len(receipts) {
			t.Errorf("%d vends after two restarts, want %d", n, len(receipts))
		}
		if n := third.Count(`SELECT count(*) FROM tokens`); n != len(receipts) {
			t.Errorf("%d tokens after two restarts, want %d", n, len(receipts))
		}
		third.WaitDelivered()
		if n := len(third.Sink.Messages()); n != 0 {
			t.Errorf("the third node sent %d SMS, want none", n)
		}
	})
}

// The vend transaction dies half way (writing the tokens fails) and then
// the node stops. Nothing of the vend may remain: no vend row, no ledger
// posting, no TID used. A new node vends the payment once.
func TestCrashDuringVendTransaction(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		first := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[1]
		trigger := map[store.Dialect][]string{
			store.SQLite: {`CREATE TRIGGER tokens_fail BEFORE INSERT ON tokens BEGIN SELECT RAISE(ABORT, 'simulated crash while writing tokens'); END`},
			store.Postgres: {
				`CREATE FUNCTION tokens_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated crash while writing tokens'; END $$`,
				`CREATE TRIGGER tokens_fail BEFORE INSERT ON tokens FOR EACH ROW EXECUTE FUNCTION tokens_fail()`,
			},
		}
		for _, q := range trigger[d] {
			if _, err := first.DB.Write().ExecContext(t.Context(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}

		receipt := first.PayBill(c.Phone, c.Meter, 800)
		apptest.Eventually(t, "the vend worker to fail on the tokens", func() bool {
			return strings.Contains(first.Logs(), "simulated crash while writing tokens")
		})
		first.Close()

		db, err := store.Open(context.Background(), first.Opts.DB)
		if err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{
			`SELECT count(*) FROM payments WHERE state = 'received'`:       1,
			`SELECT count(*) FROM vends`:                                   0,
			`SELECT count(*) FROM tokens`:                                  0,
			`SELECT count(*) FROM messages`:                                0,
			`SELECT count(*) FROM ledger_postings WHERE kind <> 'payment'`: 0,
			`SELECT count(*) FROM meters WHERE last_tid <> 0`:              0,
		} {
			var n int
			if err := db.Read().QueryRowContext(t.Context(), q).Scan(&n); err != nil || n != want {
				t.Errorf("after the failed vend, %s = %d (%v), want %d", q, n, err, want)
			}
		}
		if _, err := db.Write().ExecContext(t.Context(), `DROP TRIGGER tokens_fail`+map[store.Dialect]string{store.Postgres: ` ON tokens`}[d]); err != nil {
			t.Fatal(err)
		}
		db.Close()

		second := restart(t, first)
		second.WaitPayment(receipt, payment.Applied)
		v := second.VendOf(receipt)
		if len(v.Tokens) != 1 {
			t.Fatalf("vend has %d tokens, want 1", len(v.Tokens))
		}
		if _, err := second.Decode(c.Meter, v.Tokens[0].Digits); err != nil {
			t.Errorf("token: %v", err)
		}
		second.WaitSMS(c.Phone, v.Tokens[0].Grouped())
	})
}
