package report_test

import (
	"testing"

	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// ispFixture is an ISP's purchases across the end of February in East
// Africa Time: one a few seconds before midnight there (still the 28th),
// the rest in March, paid from wallets, by voucher and free.
func ispFixture(t *testing.T, db *store.DB) {
	f := newFixture(t, db)
	f.exec(`INSERT INTO isp_plans (id, name, kind, billing, price, created_at, updated_at) VALUES
		('day', 'Day 1 GB', 'hotspot', 'bundle', 5000, 0, 0), ('free', 'Free 64k', 'hotspot', 'bundle', 0, 0, 0), ('home', 'Home 10', 'pppoe', 'monthly', 200000, 0, 0)`)
	f.exec(`INSERT INTO isp_subscribers (id, username, password_sealed, created_at, updated_at) VALUES ('u1', 'wanjiku', 'x', 0, 0)`)
	f.exec(`INSERT INTO isp_subscriptions (id, subscriber_id, plan_id, state, created_at, updated_at) VALUES ('s1', 'u1', 'day', 'active', 0, 0)`)
	buy := func(plan, paidBy, price, net, excise, vat string, at any) {
		f.exec(`INSERT INTO isp_purchases (id, subscription_id, subscriber_id, plan_id, price, net, excise, vat, paid_by, period_start, ends_at, created_at)
			VALUES ($1, 's1', 'u1', $2, $3, $4, $5, $6, $7, 0, 0, $8)`, f.id("buy"), plan, shillings(price), shillings(net), shillings(excise), shillings(vat), paidBy, at)
	}
	day := func(d, h, m, s int) int64 { return store.Micros(eat(3, 1, h, m, s).AddDate(0, 0, d-1)) }
	buy("day", "wallet", "50", "39.31", "5.90", "4.79", day(0, 23, 59, 59)) // the 28th of February
	buy("day", "wallet", "50", "39.31", "5.90", "4.79", day(1, 0, 0, 1))
	buy("day", "voucher", "50", "39.31", "5.90", "4.79", day(1, 9, 0, 0))
	buy("day", "wallet", "50", "39.31", "5.90", "4.79", day(2, 18, 0, 0))
	buy("home", "wallet", "2000", "1572.33", "235.85", "191.82", day(2, 19, 0, 0))
	buy("free", "free", "0", "0", "0", "0", day(2, 20, 0, 0))
	buy("home", "wallet", "2000", "1572.33", "235.85", "191.82", day(3, 0, 0, 0)) // after the period
}

func TestISPSalesByPlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ispFixture(t, db)
		period := report.Days(eat(2, 28, 0, 0, 0), eat(3, 2, 0, 0, 0))
		byDay := run(t, report.ISPPlans, db, period)
		checkRecords(t, records(t, byDay, report.EN), []string{
			"Day | Plan | Paid by | Purchases | Sold (with taxes) | Net revenue | Excise duty | VAT",
			"2026-02-28 | Day 1 GB | Wallet (M-Pesa) | 1 | 50.00 | 39.31 | 5.90 | 4.79",
			"2026-03-01 | Day 1 GB | Voucher | 1 | 50.00 | 39.31 | 5.90 | 4.79",
			"2026-03-01 | Day 1 GB | Wallet (M-Pesa) | 1 | 50.00 | 39.31 | 5.90 | 4.79",
			"2026-03-02 | Day 1 GB | Wallet (M-Pesa) | 1 | 50.00 | 39.31 | 5.90 | 4.79",
			"2026-03-02 | Free 64k | Free | 1 | 0.00 | 0.00 | 0.00 | 0.00",
			"2026-03-02 | Home 10 | Wallet (M-Pesa) | 1 | 2000.00 | 1572.33 | 235.85 | 191.82",
		})
		checkSeries(t, byDay.Plots[0], map[string][]int64{"Day 1 GB": {5000, 10000, 5000}, "Free 64k": {0, 0, 0}, "Home 10": {0, 0, 200000}})
		if got := byDay.Sum("net") + byDay.Sum("excise") + byDay.Sum("vat"); got != byDay.Sum("sold") {
			t.Errorf("net, excise and VAT add up to %d, sold %d", got, byDay.Sum("sold"))
		}

		byMonth := run(t, report.ISPMonths, db, period)
		checkRecords(t, records(t, byMonth, report.SW), []string{
			"Mwezi | Kifurushi | Kimelipwa kwa | Manunuzi | Mauzo (pamoja na kodi) | Mapato halisi | Ushuru wa bidhaa | VAT",
			"2026-02 | Day 1 GB | Pochi (M-Pesa) | 1 | 50.00 | 39.31 | 5.90 | 4.79",
			"2026-03 | Day 1 GB | Vocha | 1 | 50.00 | 39.31 | 5.90 | 4.79",
			"2026-03 | Day 1 GB | Pochi (M-Pesa) | 2 | 100.00 | 78.62 | 11.80 | 9.58",
			"2026-03 | Free 64k | Bure | 1 | 0.00 | 0.00 | 0.00 | 0.00",
			"2026-03 | Home 10 | Pochi (M-Pesa) | 1 | 2000.00 | 1572.33 | 235.85 | 191.82",
		})
		checkSeries(t, byMonth.Plots[0], map[string][]int64{"Day 1 GB": {5000, 15000}, "Free 64k": {0, 0}, "Home 10": {0, 200000}})
	})
}
