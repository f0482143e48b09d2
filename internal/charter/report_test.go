package charter_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// ReportFixture builds, through the desk, the vend worker and the
// evaluator at the times given, the cases whose figures are worked out by
// hand in TestReport.
func reportFixture(t *testing.T, b *bundle) {
	t.Helper()
	ctx := context.Background()
	b.eval.FixedMonthly = func(context.Context, *store.Tx, string) (money.Amount, error) { return money.MustFromMajor(200), nil }
	open := func(at, msisdn, meter, category string) string {
		t.Helper()
		b.clock.set(eat(at))
		tk, _, err := b.desk.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: msisdn, MeterDRN: meter, Category: category, Note: "help"})
		if err != nil {
			t.Fatal(err)
		}
		return tk.ID
	}
	resolve := func(at, id string) {
		t.Helper()
		b.clock.set(eat(at))
		if err := b.desk.SetState(ctx, id, "staff:amina", care.StateResolved); err != nil {
			t.Fatal(err)
		}
	}
	evaluate := func(at string) {
		t.Helper()
		b.clock.set(eat(at))
		if _, err := b.eval.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// October: one "no token" ticket, resolved in 30 minutes.
	resolve("2026-10-20 10:30", open("2026-10-20 10:00", "254711000001", "", care.CategoryNoToken))
	// 3 November: A resolved in an hour; B never; a payment whose token SMS
	// is never delivered.
	a := open("2026-11-03 10:00", "254711000002", "", care.CategoryNoToken)
	open("2026-11-03 10:00", phone, drn, care.CategoryNoToken)
	b.pay(t, "TKB0000001", 100)
	for range 5 {
		if _, err := b.vend.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	evaluate("2026-11-03 10:20") // the payment: 20 minutes, no token delivered
	resolve("2026-11-03 11:00", a)
	evaluate("2026-11-03 15:00") // A met, B breached
	// A fault outage in Kibera, 5 November 08:00 to 6 November 10:00: 26h.
	b.clock.set(eat("2026-11-05 08:00"))
	o, err := care.AnnounceOutage(ctx, b.db, care.Outage{Area: "Kibera", Kind: "fault", Message: "Fault on the Kibera line"}, "staff:amina")
	if err != nil {
		t.Fatal(err)
	}
	b.clock.set(eat("2026-11-06 10:00"))
	if err := care.Restore(ctx, b.db, o.ID); err != nil {
		t.Fatal(err)
	}
	// D: a meter fault, Friday 16:00 to Tuesday 10:00: 1h + 9h + 2h = 12h
	// of business time, within 18h.
	resolve("2026-11-10 10:00", open("2026-11-06 16:00", "254711000003", "", care.CategoryMeterFault))
	// C: opened late on the month's last day, still open.
	open("2026-11-30 23:00", "254711000004", "", care.CategoryNoToken)
	evaluate("2026-12-01 00:30")
}

// TestReport checks the charter report against the fixture's figures,
// worked out by hand.
func TestReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		reportFixture(t, b)
		rows, err := charter.Report(context.Background(), db.Read(), b.eval.Charter, eat("2026-12-01 00:30"), 3)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			if r.Cases == 0 {
				continue
			}
			got = append(got, fmt.Sprintf("%s %s cases=%d met=%d breached=%d open=%d share=%s comp=%s",
				r.Month.Format("2006-01"), r.Standard.Code, r.Cases, r.Met, r.Breached, r.Open(), r.MetPercent(), r.Compensation))
		}
		want := []string{
			"2026-11 token_within_15m cases=1 met=0 breached=1 open=0 share=0.0% comp=20.00",
			"2026-11 no_token_resolved cases=3 met=1 breached=1 open=1 share=50.0% comp=50.00",
			"2026-11 meter_fault_resolved cases=1 met=1 breached=0 open=0 share=100.0% comp=0.00",
			"2026-11 supply_restored cases=1 met=0 breached=1 open=0 share=0.0% comp=50.00",
			"2026-10 no_token_resolved cases=1 met=1 breached=0 open=0 share=100.0% comp=0.00",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("report:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// Each breach told the meter's phone, in its owner's Swahili: the
		// ticket, the late token, the outage.
		var told int
		db.Read().QueryRow(`SELECT count(*) FROM messages WHERE template = 'charter_breach' AND recipient = $1 AND language = 'sw'`, phone).Scan(&told)
		if told != 3 {
			t.Errorf("%d breach messages to the meter's phone; want 3", told)
		}
		if len(rows) != 15 {
			t.Errorf("%d rows; want 5 standards × 3 months", len(rows))
		}
	})
}
