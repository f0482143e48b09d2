package report_test

import (
	"testing"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestLatencyPercentilesByDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		energy := []line{{"energy", "100", "", ""}}
		// On the 2nd, ten payments wait 1 to 10 seconds for their token.
		// The first eight token messages are delivered 1 to 8 seconds after
		// the token; the ninth is sent after 20 seconds and never gets a
		// receipt; the tenth failed. The first token also has a second
		// phone, whose message still waits.
		var last string
		for i := 1; i <= 10; i++ {
			paid := eat(3, 2, 10, i, 0)
			made := paid.Add(time.Duration(i) * time.Second)
			p := f.payment(pay{"mpesa_c2b", kibera, "applied", "100", paid})
			last = f.vend(sale{payment: p, meter: kibera, tariff: "domestic", at: made, lines: energy})
			m := msg{ref: last, lane: "token", queued: made, route: "smpp"}
			switch {
			case i <= 8:
				m.state, m.submitted, m.delivered = "delivered", made.Add(500*time.Millisecond), made.Add(time.Duration(i)*time.Second)
			case i == 9:
				m.state, m.submitted = "submitted", made.Add(20*time.Second)
			default:
				m.state, m.submitted = "failed", made.Add(time.Second)
			}
			f.message(m)
			if i == 1 {
				f.message(msg{ref: last, lane: "token", state: "queued", queued: made})
			}
		}
		// Neither a delay notice nor a re-sent token is the token's SMS.
		f.message(msg{ref: last, lane: "token", template: "token_delayed", state: "delivered", route: "smpp",
			queued: eat(3, 2, 11, 0, 0), submitted: eat(3, 2, 11, 0, 0), delivered: eat(3, 2, 11, 0, 1)})
		f.message(msg{ref: last, lane: "token", template: "token_resend", state: "delivered", route: "smpp",
			queued: eat(3, 2, 11, 0, 0), submitted: eat(3, 2, 11, 0, 0), delivered: eat(3, 2, 11, 30, 0)})
		// On the 3rd, a payment staff assigned from suspense after two
		// days: a person's wait, left out; its SMS still counts.
		p := f.payment(pay{"mpesa_c2b", kibera, "applied", "100", eat(3, 1, 9, 0, 0)})
		f.tx(func(tx *store.Tx) error {
			return ledger.Post(tx, ledger.Transfer("assign:"+p, "suspense_assign", p, ledger.Suspense, ledger.CustomerCredit, money.MustFromMajor(100)))
		})
		made := eat(3, 3, 9, 0, 0)
		v := f.vend(sale{payment: p, meter: kibera, tariff: "domestic", at: made, lines: energy})
		f.message(msg{ref: v, lane: "token", state: "delivered", route: "smpp", queued: made, submitted: made.Add(time.Second), delivered: made.Add(2500 * time.Millisecond)})

		tbl := run(t, report.Latency, db, report.Days(eat(3, 2, 0, 0, 0), eat(3, 4, 0, 0, 0)))
		checkRecords(t, records(t, tbl, report.EN), []string{
			"Day | Tokens timed | Payment to token p50 (s) | Payment to token p95 (s) | Payment to token p99 (s) | Token SMS sent | Token to SMS p50 (s) | Token to SMS p95 (s) | Token to SMS p99 (s) | Token SMS not sent",
			"2026-03-02 | 10 | 5.000 | 10.000 | 10.000 | 9 | 5.000 | 20.000 | 20.000 | 2",
			"2026-03-03 | 0 |  |  |  | 1 | 2.500 | 2.500 | 2.500 | 0",
		})
		// The lines break where a day has no samples.
		tokens := tbl.Plots[0]
		if len(tokens.X) != 3 || tokens.Series[0].Values[0] != 5_000_000 || !tokens.Series[0].Missing[1] || !tokens.Series[0].Missing[2] {
			t.Errorf("payment to token plot: %+v", tokens)
		}
	})
}
