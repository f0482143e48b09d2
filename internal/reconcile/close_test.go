package reconcile_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/reconcile"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/vend"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation(time.DateTime, s, mpesa.EAT)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func kes(major int64) money.Amount { return money.MustFromMajor(major) }

func line(name string, n int64, major int64) reconcile.Line {
	return reconcile.Line{Name: name, Count: n, Amount: kes(major)}
}

// A day's close fixes its figures, exactly: payments in by channel, vends,
// suspense, exceptions open and M-Pesa's own records. It cannot be made
// before the day is over, nor twice over the same figures. A statement
// that later brings a payment of the closed day corrects it with an entry
// of its own, dated when it came; so does closing again after any other
// change. The close itself never changes.
func TestClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := at("2026-12-01 10:00:00")
		db.Now = func() time.Time { return now }
		if err := (&app.App{DB: db}).Seed(ctx); err != nil {
			t.Fatal(err)
		}
		john, mary := app.DemoCustomers[0], app.DemoCustomers[1]
		record(t, db,
			payment.Payment{Provider: payment.MpesaC2B, Receipt: "SL1AAAAAA1", Amount: kes(500), AccountRef: john.Meter, PaidAt: at("2026-12-01 09:00:00")},
			payment.Payment{Provider: payment.MpesaSTK, Receipt: "SL1AAAAAA2", Amount: kes(300), AccountRef: mary.Meter, PaidAt: at("2026-12-01 09:30:00")},
			payment.Payment{Provider: payment.MpesaC2B, Receipt: "SL1AAAAAA3", Amount: kes(200), AccountRef: "nobody's", PaidAt: at("2026-12-01 09:40:00")},
			payment.Payment{Provider: payment.MpesaC2B, Receipt: "SL1AAAAAA4", Amount: kes(150), AccountRef: john.Meter, PaidAt: at("2026-12-01 09:45:00")},
		)
		vendAll(t, db)
		stmt := "Receipt No.,Completion Time,Paid In,Withdrawn,Reason Type,A/C No.\n" +
			"SL1AAAAAA1,01-12-2026 09:00:00,500.00,,Pay Bill," + john.Meter + "\n" +
			"SL1AAAAAA1,01-12-2026 09:00:00,,-5.00,Pay Utility Charge,\n" +
			"SL1AAAAAA2,01-12-2026 09:30:00,300.00,,Pay Bill Online," + mary.Meter + "\n" +
			"SL1AAAAAA3,01-12-2026 09:40:00,200.00,,Pay Bill,nobody's\n" +
			"SL1AAAAAA9,01-12-2026 23:00:00,,\"-1,000.00\",Organization Move Funds,\n"
		res, err := reconcile.Import(ctx, db, "1 Dec", strings.NewReader(stmt), "finance:test")
		if err != nil || len(res.Exceptions) != 1 || res.Exceptions[0].Kind != reconcile.MissingInMpesa || res.Exceptions[0].Receipt != "SL1AAAAAA4" {
			t.Fatalf("import: %v, %v; want SL1AAAAAA4 missing in M-Pesa", res.Outcome, err)
		}
		if _, err := reconcile.Close(ctx, db, "2026-12-01", "finance:test"); !errors.Is(err, reconcile.ErrDayNotOver) {
			t.Errorf("close of the day still running: %v, want ErrDayNotOver", err)
		}
		if _, err := reconcile.Close(ctx, db, "1 December", "finance:test"); !errors.Is(err, reconcile.ErrDay) {
			t.Errorf("close of %q: %v, want ErrDay", "1 December", err)
		}

		now = at("2026-12-02 08:00:00")
		closed, err := reconcile.Close(ctx, db, "2026-12-01", "finance:test")
		if err != nil {
			t.Fatal(err)
		}
		want := []reconcile.Line{
			line(reconcile.LinePaymentsIn, 4, 1150), line("payments_in:mpesa_c2b", 3, 850), line("payments_in:mpesa_stk", 1, 300),
			line(reconcile.LineVends, 3, 950), line(reconcile.LineSuspense, 1, 200), line(reconcile.LineExceptionsOpen, 1, 150),
			line(reconcile.LineMpesaPayments, 3, 1000), line(reconcile.LineMpesaCharges, 1, 5), line(reconcile.LineMpesaReversals, 0, 0),
		}
		if closed.Seq != 1 || closed.Kind != reconcile.EntryClose || closed.By != "finance:test" || !closed.At.Equal(now) || !reflect.DeepEqual(closed.Lines, want) {
			t.Fatalf("close: %+v\nwant lines %+v", closed, want)
		}
		if _, err := reconcile.Close(ctx, db, "2026-12-01", "finance:other"); !errors.Is(err, reconcile.ErrClosed) {
			t.Errorf("closing again: %v, want ErrClosed", err)
		}

		// The next day's statement brings a payment of the 1st that never
		// reached Mteja: it is recorded and the 1st gets a correction.
		now = at("2026-12-02 09:00:00")
		late := "Receipt No.,Completion Time,Paid In,Reason Type,A/C No.\nSL1AAAAAA5,01-12-2026 20:00:00,400.00,Pay Bill," + john.Meter + "\n"
		res, err = reconcile.Import(ctx, db, "1 Dec, late rows", strings.NewReader(late), "finance:test")
		if err != nil || res.Recorded != 1 || len(res.Corrections) != 1 {
			t.Fatalf("late import: %v, %v", res.Outcome, err)
		}
		fix := res.Corrections[0]
		wantFix := []reconcile.Line{line(reconcile.LinePaymentsIn, 1, 400), line("payments_in:mpesa_c2b", 1, 400), line(reconcile.LineMpesaPayments, 1, 400)}
		if fix.Seq != 2 || fix.Kind != reconcile.EntryCorrection || fix.Day != "2026-12-01" || fix.By != reconcile.System || !fix.At.Equal(now) ||
			!reflect.DeepEqual(fix.Lines, wantFix) {
			t.Errorf("correction: %+v\nwant lines %+v", fix, wantFix)
		}

		// Staff work on the day's exceptions changes no figure of it.
		if _, err := reconcile.Resolve(ctx, db, exceptionOf(t, db, "SL1AAAAAA4"), reconcile.Action{Name: reconcile.ActDismiss, Note: "on the 2nd's statement"}, "finance:test"); err != nil {
			t.Fatal(err)
		}
		if _, err := reconcile.Close(ctx, db, "2026-12-01", "finance:test"); !errors.Is(err, reconcile.ErrClosed) {
			t.Errorf("closing after only snapshot figures changed: %v, want ErrClosed", err)
		}
		// A payment of the 1st recorded some other way (a confirmation
		// arriving a day late) is corrected by closing again.
		now = at("2026-12-02 11:00:00")
		record(t, db, payment.Payment{Provider: payment.MpesaC2B, Receipt: "SL1AAAAAA6", Amount: kes(250), AccountRef: mary.Meter, PaidAt: at("2026-12-01 21:00:00")})
		fix, err = reconcile.Close(ctx, db, "2026-12-01", "finance:test")
		wantFix = []reconcile.Line{line(reconcile.LinePaymentsIn, 1, 250), line("payments_in:mpesa_c2b", 1, 250)}
		if err != nil || fix.Seq != 3 || fix.Kind != reconcile.EntryCorrection || fix.By != "finance:test" || !reflect.DeepEqual(fix.Lines, wantFix) {
			t.Errorf("close after a late payment: %+v, %v\nwant lines %+v", fix, err, wantFix)
		}

		entries, err := reconcile.Closes(ctx, db.Read(), "2026-12-01")
		if err != nil || len(entries) != 3 || !reflect.DeepEqual(entries[0].Lines, want) || !entries[0].At.Equal(at("2026-12-02 08:00:00")) {
			t.Errorf("entries of the 1st: %+v, %v; want the close unchanged and two corrections", entries, err)
		}
		var audits int
		db.Read().QueryRow(`SELECT count(*) FROM audit_events WHERE action IN ('reconcile.close', 'reconcile.correction') AND subject = '2026-12-01'`).Scan(&audits)
		if audits != 3 {
			t.Errorf("%d audit events of the close and its corrections, want 3", audits)
		}
	})
}

func record(t *testing.T, db *store.DB, ps ...payment.Payment) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := payment.RecordTx(tx, ps)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func vendAll(t *testing.T, db *store.DB) {
	t.Helper()
	vk, err := sts.ParseVendingKey(app.DemoVendingKey)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := sts.NewSoftwareGenerator(vk)
	if err != nil {
		t.Fatal(err)
	}
	w := &vend.Worker{DB: db, Generator: gen, Tariffs: &vend.Tariffs{DB: db}}
	for {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// exceptionOf returns the id of the exception about receipt.
func exceptionOf(t *testing.T, db *store.DB, receipt string) string {
	t.Helper()
	var id string
	if err := db.Read().QueryRow(`SELECT id FROM recon_exceptions WHERE receipt = $1`, receipt).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// A day's figures count an ISP's payments (to its own short code) among
// the payments in, and apart beneath them; a day without any has no such
// line.
func TestFiguresShowTheISPsMoneyApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if err := (&app.App{DB: db}).Seed(ctx); err != nil {
			t.Fatal(err)
		}
		record(t, db,
			payment.Payment{Provider: payment.MpesaC2B, Receipt: "SL2AAAAAA1", Amount: kes(500), AccountRef: app.DemoCustomers[0].Meter, PaidAt: at("2026-12-01 09:00:00")},
			payment.Payment{Provider: payment.MpesaC2B, Receipt: "SL2AAAAAA2", Amount: kes(50), AccountRef: "wanjiku", ShortCode: app.DemoISPShortCode,
				Service: payment.Internet, PaidAt: at("2026-12-01 10:00:00")},
			payment.Payment{Provider: payment.MpesaC2B, Receipt: "SL2AAAAAA3", Amount: kes(70), AccountRef: app.DemoCustomers[0].Meter, PaidAt: at("2026-12-02 10:00:00")},
		)
		got, err := reconcile.Figures(ctx, db.Read(), "2026-12-01")
		if err != nil {
			t.Fatal(err)
		}
		want := []reconcile.Line{line(reconcile.LinePaymentsIn, 2, 550), line("payments_in:mpesa_c2b", 2, 550), line(reconcile.LinePaymentsISP, 1, 50)}
		if !reflect.DeepEqual(got[:3], want) || got[3].Name != reconcile.LineVends {
			t.Errorf("figures of the 1st: %+v\nwant them to begin %+v, then vends", got, want)
		}
		got, _ = reconcile.Figures(ctx, db.Read(), "2026-12-02")
		for _, l := range got {
			if l.Name == reconcile.LinePaymentsISP {
				t.Errorf("a day without ISP payments has the line %+v", l)
			}
		}
	})
}
