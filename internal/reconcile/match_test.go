package reconcile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/reconcile"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A payment M-Pesa's statement does not list waits for finance, until a
// later record of M-Pesa's lists it: then the exception closes by itself.
// A later record that says another amount than M-Pesa's earlier one is an
// exception of its own, and records nothing more.
func TestLaterRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		db.Now = func() time.Time { return at("2026-12-02 10:00:00") }
		record(t, db, payment.Payment{Provider: payment.MpesaC2B, Receipt: "SL1BBBBBB1", Amount: kes(300), AccountRef: "x", PaidAt: at("2026-12-01 12:00:00")})
		import_ := func(name string, rows ...string) reconcile.Outcome {
			t.Helper()
			res, err := reconcile.Import(ctx, db, name, strings.NewReader("Receipt No.,Completion Time,Paid In,Reason Type,A/C No.\n"+strings.Join(rows, "\n")+"\n"), "finance:test")
			if err != nil {
				t.Fatal(err)
			}
			return res.Outcome
		}
		first := import_("morning", "SL1BBBBBB8,01-12-2026 08:00:00,50.00,Pay Bill,x", "SL1BBBBBB9,01-12-2026 18:00:00,60.00,Pay Bill,x")
		if len(first.Exceptions) != 3 {
			t.Fatalf("first statement: %v", first)
		}
		var unlisted reconcile.Exception
		for _, e := range first.Exceptions {
			if e.Receipt == "SL1BBBBBB1" {
				unlisted = e
			}
		}
		if unlisted.Kind != reconcile.MissingInMpesa || unlisted.State != reconcile.Open || unlisted.MtejaAmount == nil || *unlisted.MtejaAmount != kes(300) || unlisted.MpesaAmount != nil {
			t.Errorf("the unlisted payment's exception: %+v", unlisted)
		}

		if second := import_("late rows", "SL1BBBBBB1,01-12-2026 12:00:00,300.00,Pay Bill,x"); len(second.Exceptions) != 0 || second.Recorded != 0 {
			t.Errorf("second statement: %v", second)
		}
		e, err := reconcile.GetException(ctx, db.Read(), unlisted.ID)
		if err != nil || e.State != reconcile.Auto || e.Action != reconcile.ActFound || e.ResolvedBy != reconcile.System || len(e.Actions()) != 0 {
			t.Errorf("the exception after M-Pesa listed the payment: %+v, %v", e, err)
		}

		third := import_("amended", "SL1BBBBBB1,01-12-2026 12:00:00,350.00,Pay Bill,x")
		if len(third.Exceptions) != 1 || third.New != 0 || third.Recorded != 0 {
			t.Fatalf("third statement: %v", third)
		}
		if d := third.Exceptions[0]; d.Kind != reconcile.AmountDiffers || d.State != reconcile.Open || !strings.Contains(d.Detail, "earlier record said 300.00") ||
			strings.Join(d.Actions(), " ") != "assign refund reverse dismiss" {
			t.Errorf("a record that differs from M-Pesa's earlier one: %+v", d)
		}
		var audits int
		db.Read().QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'reconcile.found' AND subject = 'SL1BBBBBB1'`).Scan(&audits)
		if audits != 1 {
			t.Errorf("%d audit events of the exception closing by itself, want 1", audits)
		}
	})
}
