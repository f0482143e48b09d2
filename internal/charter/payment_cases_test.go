package charter_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/vend"
)

// TestLateTokensJudgedOnce: the token standard (15 minutes, escalated
// at 5) finds a late token whenever its payment came, follows a stored
// case to its end, and reads neither on-time payments nor judged ones
// again: each evaluation reads only payments newly past the escalation
// point that are late, and the cases still open.
func TestLateTokensJudgedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		deliver := func(receipt string) {
			t.Helper()
			p, err := vend.ByReceipt(ctx, db.Read(), receipt)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Write().ExecContext(ctx, `UPDATE messages SET state = 'delivered', delivered_at = $1 WHERE ref = $2 AND template = 'token'`,
				store.Micros(b.clock.now()), p.ID); err != nil {
				t.Fatal(err)
			}
		}
		vendAll := func() {
			t.Helper()
			if _, err := b.vend.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		run := func(at string, want charter.Tally, read int) {
			t.Helper()
			got, err := b.eval.RunOnce(ctx)
			if err != nil || got != want {
				t.Fatalf("at %s: %+v, %v; want %+v", at, got, err, want)
			}
			if n := b.eval.PaymentRowsRead(); n != read {
				t.Fatalf("at %s: read %d payment rows, want %d", at, n, read)
			}
		}

		// 10:00 two payments; one token is delivered at once, the
		// other's is not.
		b.pay(t, "TKL1000001", 100)
		b.pay(t, "TKL1000002", 100)
		vendAll()
		deliver("TKL1000001")
		b.clock.add(3 * time.Minute)
		run("10:03", charter.Tally{}, 0)
		b.pay(t, "TKL1000003", 100) // 10:03, delivered on time below
		vendAll()
		b.clock.add(time.Minute)
		deliver("TKL1000003")
		b.clock.add(2 * time.Minute)
		run("10:06", charter.Tally{Escalated: 1}, 1) // the late one only
		b.clock.add(time.Minute)
		run("10:07", charter.Tally{}, 1) // its case, still open
		b.pay(t, "TKL1000004", 100)      // 10:07, never delivered
		vendAll()
		b.clock.add(time.Minute)
		deliver("TKL1000002") // 10:08: late, but delivered
		b.clock.add(5 * time.Minute)
		run("10:13", charter.Tally{Met: 1, Escalated: 1}, 2)
		b.clock.add(10 * time.Minute)
		run("10:23", charter.Tally{Breached: 1}, 1)
		for range 2 {
			run("after", charter.Tally{}, 0)
		}
		var states []string
		rows, err := db.Read().QueryContext(ctx, `SELECT c.state FROM charter_cases c JOIN payments p ON p.id = c.case_id ORDER BY p.receipt`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			states = append(states, s)
		}
		rows.Close()
		if len(states) != 2 || states[0] != charter.Met || states[1] != charter.Breached {
			t.Fatalf("cases %v; want [met breached] (the on-time ones never stored)", states)
		}

		// A new evaluator (a restarted node) reads the window again and
		// finds nothing new to do.
		fresh := &charter.Evaluator{DB: db, Charter: b.eval.Charter, Utility: "Mteja Power", Quiet: b.eval.Quiet}
		if got, err := fresh.RunOnce(ctx); err != nil || got != (charter.Tally{}) {
			t.Fatalf("restarted: %+v, %v; want nothing", got, err)
		}
	})
}
