package report_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// books runs payments through the real intake, vend worker and suspense
// resolution, on a clock the test moves, so that the ledger holds what
// production would write.
type books struct {
	t      *testing.T
	db     *store.DB
	now    time.Time
	worker *vend.Worker
	n      int
}

func newBooks(t *testing.T, db *store.DB) *books {
	t.Helper()
	b := &books{t: t, db: db, now: eat(3, 1, 9, 0, 0)}
	db.Now = func() time.Time { return b.now }
	vk, err := sts.ParseVendingKey("ABABABABABABABAB") // the public STS test key
	if err != nil {
		t.Fatal(err)
	}
	gen, err := sts.NewSoftwareGenerator(vk)
	if err != nil {
		t.Fatal(err)
	}
	b.worker = &vend.Worker{DB: db, Generator: gen, Tariffs: &vend.Tariffs{DB: db}, Log: slog.New(slog.DiscardHandler)}
	err = db.InTx(context.Background(), func(tx *store.Tx) error {
		if _, err := vend.SaveTariff(tx, "domestic", tariff.SampleYAML()); err != nil {
			return err
		}
		if _, err := vend.SaveTariff(tx, "fixed", []byte(fixedChargeTariff)); err != nil {
			return err
		}
		c := &customer.Customer{Name: "Akinyi", Language: "sw", Phones: []string{"254708374149"}}
		if err := customer.Create(tx, c); err != nil {
			return err
		}
		for _, m := range []customer.Meter{
			{DRN: kibera, TariffID: "domestic", Area: "Kibera", Debt: money.MustFromMajor(500)},
			{DRN: westlands, TariffID: "domestic", Area: "Westlands"},
			{DRN: kiberaFix, TariffID: "fixed", Area: "Kibera"},
		} {
			m.CustomerID, m.SGC, m.TI, m.KRN, m.KT, m.KEN, m.BaseDate, m.Algorithm, m.DKGA = c.ID, "123456", 1, 1, 2, 255, 2014, "EA07", "02"
			if err := customer.CreateMeter(tx, &m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pay records a payment at the clock's time and vends what it can.
func (b *books) pay(provider, account string, shillings int64) payment.Payment {
	b.t.Helper()
	b.n++
	p := payment.Payment{Provider: provider, Receipt: "SKL" + strings.Repeat("0", 4) + string(rune('A'+b.n)), Amount: money.MustFromMajor(shillings),
		AccountRef: account, PaidAt: b.now}
	var rec []payment.Recorded
	err := b.db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		rec, err = payment.RecordTx(tx, []payment.Payment{p})
		return err
	})
	if err != nil {
		b.t.Fatal(err)
	}
	b.drain()
	return rec[0].Payment
}

func (b *books) drain() {
	b.t.Helper()
	for range 10 {
		n, err := b.worker.RunOnce(context.Background())
		if err != nil {
			b.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	b.t.Fatal("vend worker did not drain")
}

// balances are the ledger's account balances over [from, to).
func (b *books) balances(r report.Range) map[string]int64 {
	b.t.Helper()
	rows, err := b.db.Read().QueryContext(context.Background(), `SELECT account, SUM(amount) FROM ledger_postings WHERE created_at >= $1 AND created_at < $2 GROUP BY account`,
		store.Micros(r.From), store.Micros(r.To))
	if err != nil {
		b.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var a string
		var n int64
		if err := rows.Scan(&a, &n); err != nil {
			b.t.Fatal(err)
		}
		out[a] = n
	}
	return out
}

func TestRevenueAddsUpToTheLedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := newBooks(t, db)
		b.pay(payment.MpesaC2B, westlands, 1000) // the day before: outside the period

		b.now = eat(3, 2, 8, 0, 0)
		b.pay(payment.MpesaC2B, kibera, 500) // a quarter recovers the meter's debt
		b.now = eat(3, 2, 9, 0, 0)
		stk := b.pay(payment.MpesaSTK, westlands, 200)
		if _, err := db.Write().ExecContext(ctx, `INSERT INTO stk_requests (checkout_request_id, merchant_request_id, msisdn, meter_drn, amount, channel, state, receipt, created_at, updated_at)
			VALUES ('ws_CO_1', 'm', '254708374149', $1, 20000, 'app', 'paid', $2, 0, 0)`, westlands, stk.Receipt); err != nil {
			t.Fatal(err)
		}
		b.now = eat(3, 2, 10, 0, 0)
		lost := b.pay(payment.MpesaC2B, "not a meter", 300)
		b.now = eat(3, 2, 15, 0, 0)
		if _, err := payment.Assign(ctx, db, lost.ID, westlands, "care:amina"); err != nil {
			t.Fatal(err)
		}
		b.drain()
		b.now = eat(3, 2, 16, 0, 0)
		b.pay(payment.MpesaC2B, kiberaFix, 100) // short of the month's 174.00 fixed charge
		b.now = eat(3, 2, 17, 0, 0)
		b.pay(payment.MpesaC2B, kiberaFix, 300) // recovers part of that from arrears
		b.now = eat(3, 2, 18, 0, 0)
		b.pay(payment.MpesaC2B, "", 250) // stays in suspense
		b.now = eat(3, 3, 0, 0, 0)
		b.pay(payment.MpesaC2B, kibera, 800) // the next day: outside the period

		period := report.Days(eat(3, 2, 0, 0, 0), eat(3, 2, 0, 0, 0))
		tbl, err := report.Revenue(ctx, db.Read(), period)
		if err != nil {
			t.Fatal(err)
		}
		bal := b.balances(period)
		sum := tbl.Sum
		explained := map[string]bool{}
		check := func(account string, want int64) {
			t.Helper()
			explained[account] = true
			if bal[account] != want {
				t.Errorf("%s: ledger %s, report %s", account, money.Amount(bal[account]).Plain(), money.Amount(want).Plain())
			}
		}
		check(ledger.EnergyRevenue, -sum("line:energy"))
		check(ledger.FixedRevenue, -(sum("line:fixed") + sum("fixed_arrears")))
		check(ledger.VATPayable, -(sum("line:vat") + sum("vat_arrears")))
		check(ledger.DebtReceivable, sum("fixed_arrears")+sum("vat_arrears")-sum("line:debt"))
		check(ledger.MpesaClearing, sum("collected"))
		charges := 0
		for _, c := range tbl.Columns {
			if code, ok := strings.CutPrefix(c.Key, "line:"); ok && code != "energy" && code != "fixed" && code != "vat" && code != "debt" {
				check("liability:charge:"+code, -sum(c.Key))
				charges++
			}
		}
		// Money received and not yet sold waits in customer credit or
		// suspense.
		explained[ledger.Suspense] = true
		check(ledger.CustomerCredit, -(sum("collected")-sum("sold"))-bal[ledger.Suspense])
		for a := range bal {
			if !explained[a] {
				t.Errorf("the ledger moved %s in the period (%s), which the report does not explain", a, money.Amount(bal[a]).Plain())
			}
		}
		// What the comparison rests on is really there.
		if sum("fixed_arrears") == 0 || sum("line:debt") == 0 || charges < 3 || sum("sales") != 5 || sum("payments") != 6 {
			t.Errorf("fixture lacks a case: arrears %d, debt %d, charges %d, sales %d, payments %d",
				sum("fixed_arrears"), sum("line:debt"), charges, sum("sales"), sum("payments"))
		}
		channels := map[string]bool{}
		for _, r := range tbl.Rows {
			channels[r[tbl.Col("channel")].Text] = true
		}
		for _, c := range []string{"paybill", "stk_app", "suspense"} {
			if !channels[c] {
				t.Errorf("no %s row in %v", c, channels)
			}
		}

		// The suspense report's total is the suspense account's balance.
		all, err := ledger.Balances(ctx, db.Read())
		if err != nil {
			t.Fatal(err)
		}
		sus, err := report.Suspense(ctx, db.Read(), report.Range{From: eat(3, 1, 0, 0, 0), To: b.now.Add(time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := sus.Sum("amount"), -int64(all[ledger.Suspense]); got != want || got == 0 {
			t.Errorf("suspense report %s, ledger %s", money.Amount(got).Plain(), money.Amount(want).Plain())
		}
	})
}
