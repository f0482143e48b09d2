package customer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A swap retires the old meter for good and gives the new one its customer,
// tariff, area, debt and month's energy; the new meter's TIDs start afresh
// and the books still hold exactly what the meters owe.
func TestSwapCarriesDebt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRegistry(t, db)
		old, err := r.Register(ctx, staffActor, customer.Registration{DRN: meterA, Keys: customer.KeyParams{SGC: ptr("123456")},
			TariffID: "commercial", Area: "Kisumu", Debt: 250_000,
			Owner: customer.Owner{New: customer.Customer{Name: "Grace Achieng", Phones: []string{"0712000111"}}}})
		if err != nil {
			t.Fatal(err)
		}
		// The old meter has sold tokens this month and has a key change waiting.
		db.Write().Exec(`UPDATE meters SET last_tid = 6000000, month = '2026-11', month_wh = 42000 WHERE drn = $1`, meterA)
		if _, err := r.QueueKeyChange(ctx, staffActor, meterA, customer.KeyParams{KRN: ptr(2)}); err != nil {
			t.Fatal(err)
		}

		nm, err := r.Swap(ctx, staffActor, meterA, "0412 3456 784", customer.KeyParams{KRN: ptr(3)})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := customer.GetMeter(ctx, db.Read(), meterB)
		want := customer.Meter{DRN: meterB, CustomerID: old.CustomerID, SGC: "123456", TI: 1, KRN: 3, KT: 2, KEN: 255, BaseDate: 2014,
			Algorithm: "EA07", DKGA: "02", TariffID: "commercial", Debt: 250_000, LastTID: 0, Status: customer.MeterActive, Area: "Kisumu",
			Month: "2026-11", MonthWh: 42000}
		if got != want || nm != want {
			t.Errorf("new meter:\n%+v (stored)\n%+v (returned)\nwant\n%+v", got, nm, want)
		}
		retired, _ := customer.GetMeter(ctx, db.Read(), meterA)
		if retired.Status != customer.MeterRetired || retired.ReplacedBy != meterB || retired.CustomerID != "" || retired.Debt != 0 ||
			retired.PendingKey != "" || retired.LastTID != 6000000 {
			t.Errorf("old meter = %+v; want retired, replaced by %s, without customer, debt or key change, its last TID kept", retired, meterB)
		}
		if rs := recipients(t, db, meterB); rs != "254712000111/en" {
			t.Errorf("the new meter's recipients = %s", rs)
		}
		if ms, _ := customer.MetersForPhone(ctx, db.Read(), "254712000111"); len(ms) != 1 || ms[0].DRN != meterB {
			t.Errorf("the customer's meters = %+v; want only the new one", ms)
		}
		checkEvent(t, db, meterA, "meter.swap", "retired, replaced by "+meterB, "debt 2,500.00", "42000 Wh", "last TID 6000000 stays here")
		checkEvent(t, db, meterB, "meter.swap", "replaces "+meterA, "TIDs start afresh")

		bal, err := ledger.Balances(ctx, db.Read())
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.Check(ctx, db.Read()); err != nil || bal[ledger.DebtReceivable] != money.Amount(250_000) {
			t.Errorf("debt receivable %s (%v); want 2,500.00, what the meters owe", bal[ledger.DebtReceivable], err)
		}

		for _, c := range []struct {
			name string
			do   func() error
			want error
		}{
			{"swap the retired meter again", func() error { _, err := r.Swap(ctx, staffActor, meterA, meterC, customer.KeyParams{}); return err }, customer.ErrConflict},
			{"reactivate it", func() error { _, err := r.Reactivate(ctx, staffActor, meterA, ""); return err }, customer.ErrConflict},
			{"edit it", func() error { _, err := r.Edit(ctx, staffActor, meterA, customer.Edit{Area: ptr("x")}); return err }, customer.ErrConflict},
			{"swap for a registered meter", func() error {
				register(t, r, meterC, "0722000222")
				_, err := r.Swap(ctx, staffActor, meterB, meterC, customer.KeyParams{})
				return err
			}, customer.ErrConflict},
			{"swap for itself", func() error { _, err := r.Swap(ctx, staffActor, meterB, meterB, customer.KeyParams{}); return err }, customer.ErrInvalid},
			{"swap for a mistyped number", func() error {
				_, err := r.Swap(ctx, staffActor, meterB, "04123456785", customer.KeyParams{})
				return err
			}, customer.ErrInvalid},
		} {
			if err := c.do(); !errors.Is(err, c.want) {
				t.Errorf("%s: %v; want %v", c.name, err, c.want)
			}
		}
	})
}
