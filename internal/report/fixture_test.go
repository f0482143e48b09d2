package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// eat is a time in East Africa Time.
func eat(month time.Month, day, hour, min, sec int) time.Time {
	return time.Date(2026, month, day, hour, min, sec, 0, tariff.Zone)
}

// fixedChargeTariff charges 150.00 a month plus 16% VAT on the first
// vend of the month: 174.00 in all.
const fixedChargeTariff = `name: fixed-charge
currency: KES
effective_from: 2024-01-01
energy_blocks:
  - rate: 20.0000
fixed_monthly_charge: 150.00
vat_pct: 16%
vat_applies_to: [energy, fixed]
min_purchase: 50.00
max_purchase: 10000.00
`

// Meters of the fixtures: two on the sample domestic tariff, one on the
// fixed-charge tariff.
const (
	kibera    = "01234567897" // domestic, Kibera
	westlands = "54500320905" // domestic, Westlands
	kiberaFix = "04040404040" // fixed-charge, Kibera
)

// fixture writes rows straight into the tables, so that every figure a
// report shows is known by hand.
type fixture struct {
	t   *testing.T
	db  *store.DB
	ctx context.Context
	n   int // for ids
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, ctx: context.Background()}
	f.tx(func(tx *store.Tx) error {
		if _, err := vend.SaveTariff(tx, "domestic", tariff.SampleYAML()); err != nil {
			return err
		}
		if _, err := vend.SaveTariff(tx, "fixed", []byte(fixedChargeTariff)); err != nil {
			return err
		}
		for _, m := range []struct{ drn, tariff, area string }{{kibera, "domestic", "Kibera"}, {westlands, "domestic", "Westlands"}, {kiberaFix, "fixed", "Kibera"}} {
			if err := customer.CreateMeter(tx, &customer.Meter{DRN: m.drn, SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255, BaseDate: 2014,
				Algorithm: "EA07", DKGA: "02", TariffID: m.tariff, Area: m.area}); err != nil {
				return err
			}
		}
		return nil
	})
	return f
}

func (f *fixture) tx(fn func(tx *store.Tx) error) {
	f.t.Helper()
	if err := f.db.InTx(f.ctx, fn); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	f.tx(func(tx *store.Tx) error {
		_, err := tx.Exec(q, args...)
		return err
	})
}

func (f *fixture) id(prefix string) string {
	f.n++
	return fmt.Sprintf("%s%03d", prefix, f.n)
}

func shillings(s string) int64 {
	a, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return int64(a)
}

// pay is a payment row; meter "" leaves it without one.
type pay struct {
	provider, meter, state, amount string
	received                       time.Time
}

func (f *fixture) payment(p pay) string {
	f.t.Helper()
	id := f.id("pay")
	var meter any
	if p.meter != "" {
		meter = p.meter
	}
	f.exec(`INSERT INTO payments (id, provider, receipt, amount, currency, meter_drn, state, paid_at, received_at) VALUES ($1, $2, $3, $4, 'KES', $5, $6, $7, $7)`,
		id, p.provider, "R"+id, shillings(p.amount), meter, p.state, store.Micros(p.received))
	return id
}

// stk records the STK push, started on channel, that paid payment id.
func (f *fixture) stk(paymentID, channel string) {
	f.t.Helper()
	f.exec(`INSERT INTO stk_requests (checkout_request_id, merchant_request_id, msisdn, meter_drn, amount, channel, state, receipt, created_at, updated_at)
		VALUES ($1, 'm', '254708374149', '', 0, $2, 'paid', $3, 0, 0)`, f.id("ws_CO_"), channel, "R"+paymentID)
}

// line is a receipt line: code, amount, and for charges their labels.
type line struct{ code, amount, label, labelSW string }

// sale is a vend of a payment, with its receipt lines.
type sale struct {
	payment, meter, tariff, version string
	at                              time.Time
	wh                              int64
	lines                           []line
	fixedCharge, fixedCarried       string
}

func (f *fixture) vend(s sale) string {
	f.t.Helper()
	q := tariff.Quote{Energy: s.wh, Currency: "KES"}
	for _, l := range s.lines {
		q.Lines = append(q.Lines, tariff.Line{Code: l.code, Label: l.label, LabelSW: l.labelSW, Amount: money.Amount(shillings(l.amount))})
	}
	q.Paid = q.Total()
	if s.fixedCharge != "" {
		q.FixedCharge, q.FixedCarried = money.Amount(shillings(s.fixedCharge)), money.Amount(shillings(s.fixedCarried))
	}
	if s.version == "" {
		s.version = "2023-04-01"
	}
	quote, err := json.Marshal(q)
	if err != nil {
		f.t.Fatal(err)
	}
	id := f.id("vend")
	f.exec(`INSERT INTO vends (id, payment_id, meter_drn, tariff_id, tariff_version, amount, energy_wh, tenths, quote, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, s.payment, s.meter, s.tariff, s.version, int64(q.Paid), s.wh, s.wh/100, string(quote), store.Micros(s.at))
	return id
}

// msg is an outgoing message; zero times stay NULL.
type msg struct {
	ref, lane, template, state, route string
	queued, submitted, delivered      time.Time
}

func (f *fixture) message(m msg) {
	f.t.Helper()
	if m.template == "" {
		m.template = "token"
	}
	nullable := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return store.Micros(t)
	}
	f.exec(`INSERT INTO messages (id, recipient, channel, lane, template, language, body, ref, state, route, queued_at, next_attempt_at, submitted_at, delivered_at)
		VALUES ($1, '254708374149', 'sms', $2, $3, 'en', 'x', $4, $5, $6, $7, $7, $8, $9)`,
		f.id("msg"), m.lane, m.template, m.ref, m.state, m.route, store.Micros(m.queued), nullable(m.submitted), nullable(m.delivered))
}

// run makes a report, checks its charts and returns its table.
func run(t *testing.T, fn func(context.Context, report.Querier, report.Range) (report.Table, error), db *store.DB, r report.Range) report.Table {
	t.Helper()
	tbl, err := fn(context.Background(), db.Read(), r)
	if err != nil {
		t.Fatal(err)
	}
	checkPlots(t, tbl)
	return tbl
}

// records writes t as CSV and reads it back with encoding/csv.
func records(t *testing.T, tbl report.Table, lang report.Lang) [][]string {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteCSV(&b, tbl, lang); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("csv does not read back: %v\n%s", err, b.String())
	}
	if len(recs) != len(tbl.Rows)+1 {
		t.Fatalf("csv has %d records for %d rows", len(recs), len(tbl.Rows))
	}
	return recs
}

// checkRecords compares CSV records (header first) with the expected ones,
// each written as its cells joined by " | ".
func checkRecords(t *testing.T, got [][]string, want []string) {
	t.Helper()
	var lines []string
	for _, r := range got {
		lines = append(lines, strings.Join(r, " | "))
	}
	if !slices.Equal(lines, want) {
		t.Errorf("report rows:\n got:\n  %s\nwant:\n  %s", strings.Join(lines, "\n  "), strings.Join(want, "\n  "))
	}
}
