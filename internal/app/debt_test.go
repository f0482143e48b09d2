package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// Arrears are recovered from purchases, 25% of each (the sample tariff's
// debt_recovery_pct), and the books follow the meter: debt receivable is
// what the meters owe, whether the debt came with the imported meter or
// from a reversed payment whose token was already used.
func TestDebtRecovery(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		const imported, phoneNo = "07000000013", "254712999000"
		csv := "meter,name,phones,sgc,tariff,debt\n" + imported + ",Old Customer," + phoneNo + ",123456,domestic,1500.50\n"
		if _, err := customer.Import(t.Context(), a.DB, strings.NewReader(csv)); err != nil {
			t.Fatal(err)
		}
		debtLine := func(receipt string) money.Amount {
			t.Helper()
			v := a.VendOf(receipt)
			return v.Quote.Line("debt").Amount
		}
		meterDebt := func(drn string) money.Amount {
			t.Helper()
			m, err := customer.GetMeter(t.Context(), a.DB.Read(), drn)
			if err != nil {
				t.Fatal(err)
			}
			return m.Debt
		}

		// 25% of 1,000 = 250.00 of the 1,500.50 owed.
		r1 := a.PayBill(phoneNo, imported, 1000)
		a.WaitPayment(r1, payment.Applied)
		if got := debtLine(r1); got != money.MustFromMajor(250) {
			t.Errorf("debt recovered from 1,000: %s, want 250.00", got)
		}
		if got := meterDebt(imported); got != money.Amount(125050) {
			t.Errorf("debt left: %s, want 1,250.50", got)
		}
		a.CheckBooks()

		// A payment reversed after its token was made becomes debt.
		r2 := a.PayBill(phoneNo, imported, 400)
		a.WaitPayment(r2, payment.Applied) // recovers 100.00: 1,150.50 left
		if _, err := payment.Reverse(t.Context(), a.DB, r2, "finance:test", "customer's bank reversed it"); err != nil {
			t.Fatal(err)
		}
		if got := meterDebt(imported); got != money.Amount(155050) {
			t.Errorf("debt after the reversal: %s, want 1,550.50 (1,150.50 + 400.00)", got)
		}
		var p struct {
			State string `json:"state"`
		}
		a.JSON("GET", "/api/v1/payments/"+r2, a.Admin, nil, http.StatusOK, &p)
		if p.State != payment.Reversed {
			t.Errorf("reversed payment's state: %s", p.State)
		}
		if _, err := payment.Reverse(t.Context(), a.DB, r2, "finance:test", "again"); err == nil {
			t.Error("a payment was reversed twice")
		}
		a.CheckBooks()
		bal, err := ledger.Balances(t.Context(), a.DB.Read())
		if err != nil {
			t.Fatal(err)
		}
		if bal[ledger.DebtReceivable] != money.Amount(155050) {
			t.Errorf("debt receivable %s, want 1,550.50", bal[ledger.DebtReceivable])
		}
	})
}

// A tariff with a fixed monthly charge takes it from the month's first
// purchase; what that purchase cannot cover is carried as debt, and the
// books carry it too.
func TestFixedChargeCarriedAsDebt(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		src := strings.Replace(string(tariff.SampleYAML()), "fixed_monthly_charge: 0.00", "fixed_monthly_charge: 150.00", 1)
		if !strings.Contains(src, "fixed_monthly_charge: 150.00") {
			t.Fatal("the sample tariff's fixed charge line has changed")
		}
		err := a.DB.InTx(t.Context(), func(tx *store.Tx) error {
			_, err := vend.SaveTariff(tx, "fixed", []byte(src))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		const drn, phoneNo = "07000000021", "254712999001"
		csv := "meter,phones,sgc,tariff\n" + drn + "," + phoneNo + ",123456,fixed\n"
		if _, err := customer.Import(t.Context(), a.DB, strings.NewReader(csv)); err != nil {
			t.Fatal(err)
		}
		// 150.00 + 16% VAT = 174.00 due; 100.00 covers part of it.
		r := a.PayBill(phoneNo, drn, 100)
		p := a.WaitPayment(r, payment.Applied)
		v := a.VendOf(r)
		m, err := customer.GetMeter(t.Context(), a.DB.Read(), drn)
		if err != nil {
			t.Fatal(err)
		}
		if v.Quote.FixedCarried != money.MustFromMajor(74) || m.Debt != money.MustFromMajor(74) {
			t.Errorf("payment %s: carried %s, meter owes %s; want 74.00 both", p.Receipt, v.Quote.FixedCarried, m.Debt)
		}
		a.CheckBooks()
		// The month's whole charge is booked: 150.00 of revenue and 24.00
		// of VAT, 100.00 of it paid and 74.00 owed.
		bal, err := ledger.Balances(t.Context(), a.DB.Read())
		if err != nil {
			t.Fatal(err)
		}
		if bal[ledger.FixedRevenue] != -money.MustFromMajor(150) || bal[ledger.VATPayable] != -money.MustFromMajor(24) || bal[ledger.DebtReceivable] != money.MustFromMajor(74) {
			t.Errorf("fixed revenue %s, VAT %s, debt receivable %s; want -150.00, -24.00, 74.00", bal[ledger.FixedRevenue], bal[ledger.VATPayable], bal[ledger.DebtReceivable])
		}
	})
}
