package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

var (
	fuel = line{"fuel_energy_cost", "", "Fuel Energy Charge", "Gharama ya Mafuta"}
	epra = line{"energy_regulator_levy", "", "EPRA Charge", "Ada ya EPRA"}
)

func (l line) is(amount string) line { l.amount = amount; return l }

// revenueFixture is two days of payments and sales, with one of each kind
// the report tells apart, and one payment on either side of the period.
func revenueFixture(t *testing.T, db *store.DB) {
	f := newFixture(t, db)
	// Before the period: neither its payment nor its sale counts.
	before := f.payment(pay{"mpesa_c2b", kibera, "applied", "700", eat(3, 1, 23, 0, 0)})
	f.vend(sale{payment: before, meter: kibera, tariff: "domestic", at: eat(3, 1, 23, 59, 59), wh: 1000, lines: []line{{"energy", "700", "", ""}}})

	// Paybill, vended two seconds later.
	p1 := f.payment(pay{"mpesa_c2b", kibera, "applied", "500", eat(3, 2, 8, 0, 0)})
	f.vend(sale{payment: p1, meter: kibera, tariff: "domestic", at: eat(3, 2, 8, 0, 2), wh: 20000,
		lines: []line{{"energy", "400", "", ""}, fuel.is("50"), {"vat", "30", "", ""}, epra.is("20")}})
	// An STK push from USSD, paid a second before midnight and vended
	// a second after: collected on the 2nd, sold on the 3rd.
	p2 := f.payment(pay{"mpesa_stk", westlands, "applied", "200", eat(3, 2, 23, 59, 59)})
	f.stk(p2, "ussd")
	f.vend(sale{payment: p2, meter: westlands, tariff: "domestic", at: eat(3, 3, 0, 0, 1), wh: 9000,
		lines: []line{{"energy", "150", "", ""}, fuel.is("16"), {"vat", "24", "", ""}, epra.is("10")}})
	// Paybill to a wrong account: suspense, then staff assigned it to a
	// meter with arrears and it was sold the next day.
	p3 := f.payment(pay{"mpesa_c2b", kibera, "applied", "300", eat(3, 2, 10, 0, 0)})
	f.tx(func(tx *store.Tx) error {
		return ledger.Post(tx, ledger.Transfer("assign:"+p3, "suspense_assign", p3, ledger.Suspense, ledger.CustomerCredit, money.MustFromMajor(300)))
	})
	f.vend(sale{payment: p3, meter: kibera, tariff: "domestic", at: eat(3, 3, 9, 0, 0), wh: 12000,
		lines: []line{{"energy", "200", "", ""}, {"fixed", "50", "", ""}, {"vat", "8", "", ""}, {"debt", "42", "", ""}}})
	// STK from the portal: 100.00 against the month's 174.00 fixed charge
	// (150.00 and 24.00 VAT). It pays 86.21 and 13.79 VAT; the other 74.00
	// goes to arrears, 63.79 of charge and 10.21 of VAT.
	p4 := f.payment(pay{"mpesa_stk", kiberaFix, "applied", "100", eat(3, 3, 12, 0, 0)})
	f.stk(p4, "web")
	f.vend(sale{payment: p4, meter: kiberaFix, tariff: "fixed", version: "2024-01-01", at: eat(3, 3, 12, 0, 1),
		lines: []line{{"fixed", "86.21", "", ""}, {"vat", "13.79", "", ""}, {"energy", "0", "", ""}}, fixedCharge: "86.21", fixedCarried: "74"})
	// Paybill to no meter, still in suspense.
	f.payment(pay{"mpesa_c2b", "", "suspense", "1000", eat(3, 3, 15, 0, 0)})
	// Paybill to the ISP sharing the deployment: its money, apart.
	isp := f.payment(pay{"mpesa_c2b", "", "applied", "50", eat(3, 3, 16, 0, 0)})
	f.exec(`UPDATE payments SET service = 'isp' WHERE id = $1`, isp)
	// At the period's end: counts in the next.
	after := f.payment(pay{"mpesa_c2b", kibera, "applied", "900", eat(3, 4, 0, 0, 0)})
	f.vend(sale{payment: after, meter: kibera, tariff: "domestic", at: eat(3, 4, 0, 0, 0), wh: 1000, lines: []line{{"energy", "900", "", ""}}})
	// A push still waiting has no receipt yet.
	f.exec(`INSERT INTO stk_requests (checkout_request_id, merchant_request_id, msisdn, meter_drn, amount, channel, state, created_at, updated_at)
		VALUES ('ws_CO_pending', 'm', '254708374149', $1, 10000, 'app', 'pending', 0, 0)`, kibera)
}

func TestRevenueByDayChannelTariffAndArea(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		revenueFixture(t, db)
		tbl := run(t, report.Revenue, db, report.Days(eat(3, 2, 0, 0, 0), eat(3, 3, 0, 0, 0)))
		checkRecords(t, records(t, tbl, report.EN), []string{
			"Day | Service | Channel | Tariff | Area | Payments | Collected | Sales | Sold | Energy sold (kWh) | Energy | Fixed charge | VAT | Fuel Energy Charge | EPRA Charge | Debt recovered | Fixed charge to arrears | VAT on it, to arrears",
			// The assigned payment counts where its money came: Paybill,
			// for the meter it is now matched to.
			"2026-03-02 | Electricity | Paybill (C2B) | domestic | Kibera | 2 | 800.00 | 1 | 500.00 | 20.000 | 400.00 | 0.00 | 30.00 | 50.00 | 20.00 | 0.00 | 0.00 | 0.00",
			"2026-03-02 | Electricity | STK from USSD | domestic | Westlands | 1 | 200.00 | 0 | 0.00 | 0.000 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00",
			"2026-03-03 | Electricity | Paybill (C2B) | (none) | (none) | 1 | 1000.00 | 0 | 0.00 | 0.000 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00",
			"2026-03-03 | Electricity | STK from USSD | domestic | Westlands | 0 | 0.00 | 1 | 200.00 | 9.000 | 150.00 | 0.00 | 24.00 | 16.00 | 10.00 | 0.00 | 0.00 | 0.00",
			"2026-03-03 | Electricity | STK from the portal | fixed | Kibera | 1 | 100.00 | 1 | 100.00 | 0.000 | 0.00 | 86.21 | 13.79 | 0.00 | 0.00 | 0.00 | 63.79 | 10.21",
			"2026-03-03 | Electricity | Staff, from suspense | domestic | Kibera | 0 | 0.00 | 1 | 300.00 | 12.000 | 200.00 | 50.00 | 8.00 | 0.00 | 0.00 | 42.00 | 0.00 | 0.00",
			"2026-03-03 | Internet | Paybill (C2B) | (none) | (none) | 1 | 50.00 | 0 | 0.00 | 0.000 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00",
		})
		sw := records(t, tbl, report.SW)
		checkRecords(t, sw[:2], []string{
			"Siku | Huduma | Njia | Tarifu | Eneo | Malipo | Makusanyo | Mauzo | Kiasi cha mauzo | Nishati iliyouzwa (kWh) | Nishati | Ada ya mwezi | VAT | Gharama ya Mafuta | Ada ya EPRA | Deni lililolipwa | Ada ya mwezi kwa deni | VAT yake kwa deni",
			"2026-03-02 | Umeme | Paybill (C2B) | domestic | Kibera | 2 | 800.00 | 1 | 500.00 | 20.000 | 400.00 | 0.00 | 30.00 | 50.00 | 20.00 | 0.00 | 0.00 | 0.00",
		})

		// The plots: collections by channel, sales by line, per day.
		coll, sales := tbl.Plots[0], tbl.Plots[1]
		checkSeries(t, coll, map[string][]int64{
			"Paybill (C2B)":       {80000, 100000},
			"STK from USSD":       {20000, 0},
			"STK from the portal": {0, 10000},
			"Internet":            {0, 5000},
		})
		checkSeries(t, sales, map[string][]int64{
			"Energy":             {40000, 35000},
			"Fixed charge":       {0, 13621},
			"VAT":                {3000, 4579},
			"Charges and levies": {7000, 2600},
			"Debt recovered":     {0, 4200},
		})
	})
}

// checkSeries compares a plot's series, by English name, in order.
func checkSeries(t *testing.T, p report.Plot, want map[string][]int64) {
	t.Helper()
	if len(p.Series) != len(want) {
		t.Errorf("plot %s: %d series, want %d", p.ID, len(p.Series), len(want))
	}
	for _, s := range p.Series {
		w, ok := want[s.Name.EN]
		if !ok {
			t.Errorf("plot %s: unexpected series %q", p.ID, s.Name.EN)
			continue
		}
		for i := range w {
			if s.Values[i] != w[i] {
				t.Errorf("plot %s, series %q: values %v, want %v", p.ID, s.Name.EN, s.Values, w)
				break
			}
		}
	}
}

func TestReportsRefuseABadPeriod(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	day := eat(3, 2, 0, 0, 0)
	for _, r := range []report.Range{{From: day, To: day}, {From: day, To: day.Add(-time.Hour)}, report.Days(day, day.AddDate(1, 1, 0))} {
		for _, rep := range report.All {
			if _, err := rep.Run(context.Background(), db.Read(), r); err == nil {
				t.Errorf("%s accepted the period %s to %s", rep.ID, r.From, r.To)
			}
		}
	}
}

func TestDaysAreEastAfricanDays(t *testing.T) {
	// 22:00 UTC on the 1st is already the 2nd in Nairobi.
	r := report.Days(time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC), time.Date(2026, 3, 3, 20, 59, 0, 0, time.UTC))
	if want := eat(3, 2, 0, 0, 0); !r.From.Equal(want) {
		t.Errorf("from %s, want %s", r.From, want)
	}
	if want := eat(3, 4, 0, 0, 0); !r.To.Equal(want) {
		t.Errorf("to %s, want %s", r.To, want)
	}
}
