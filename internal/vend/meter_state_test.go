package vend_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

func (b *bundle) registry() *customer.Registry {
	return &customer.Registry{DB: b.db, Audit: payment.Audit}
}

// wantSuspense checks that the payment with receipt waits in suspense for
// the reason, with no vend.
func (b *bundle) wantSuspense(t *testing.T, receipt, reason string) payment.Payment {
	t.Helper()
	ctx := context.Background()
	p, err := payment.ByReceipt(ctx, b.db.Read(), receipt)
	if err != nil {
		t.Fatal(err)
	}
	if p.State != payment.Suspense || p.Reason != reason {
		t.Errorf("%s: %s %q; want suspense for %q", receipt, p.State, p.Reason, reason)
	}
	if _, err := vend.ByReceipt(ctx, b.db.Read(), receipt); err == nil {
		t.Errorf("%s was vended", receipt)
	}
	return p
}

// A deactivated meter is sold nothing: a payment made after it goes to
// suspense at intake, and one received before but not yet vended goes there
// from the vend worker. Reactivated, it sells again.
func TestDeactivatedMeterPaymentGoesToSuspense(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		const drn = "54500320905"
		if _, err := b.intake.Record(ctx, c2b("SKL51ZDRD1", drn, 300)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.registry().Deactivate(ctx, "care:alice", drn, "owner moved out"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.intake.Record(ctx, c2b("SKL51ZDRD2", drn, 300)); err != nil {
			t.Fatal(err)
		}
		b.drain(t)
		b.wantSuspense(t, "SKL51ZDRD1", "meter 54500320905 is inactive")
		b.wantSuspense(t, "SKL51ZDRD2", "meter 54500320905 is inactive")
		b.checkLedger(t)

		if _, err := b.registry().Reactivate(ctx, "care:alice", drn, ""); err != nil {
			t.Fatal(err)
		}
		b.intake.Record(ctx, c2b("SKL51ZDRD3", drn, 300))
		b.drain(t)
		if _, err := vend.ByReceipt(ctx, db.Read(), "SKL51ZDRD3"); err != nil {
			t.Errorf("after reactivation: %v", err)
		}
	})
}

// After a swap the old number sells nothing (a payment for it waits in
// suspense, where staff assign it to the new meter), and the new meter's
// tokens start their own TID sequence under its own key.
func TestSwappedMeterNumberIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		const old, replacement = "54500320905", "04123456784"
		b.intake.Record(ctx, c2b("SKL51ZDRS1", old, 300))
		b.drain(t)
		before, _ := customer.GetMeter(ctx, db.Read(), old)
		if before.LastTID == 0 {
			t.Fatal("the old meter sold nothing")
		}
		// Its TIDs are ahead of the clock, as after a busy minute.
		db.Write().Exec(`UPDATE meters SET last_tid = last_tid + 1000 WHERE drn = $1`, old)

		b.intake.Record(ctx, c2b("SKL51ZDRS2", old, 300)) // received, not yet vended
		if _, err := b.registry().Swap(ctx, "admin:bob", old, replacement, customer.KeyParams{}); err != nil {
			t.Fatal(err)
		}
		b.intake.Record(ctx, c2b("SKL51ZDRS3", old, 300))
		b.intake.Record(ctx, c2b("SKL51ZDRS4", replacement, 300))
		b.drain(t)
		b.wantSuspense(t, "SKL51ZDRS2", "meter 54500320905 is retired")
		p := b.wantSuspense(t, "SKL51ZDRS3", "meter 54500320905 is retired")

		v, err := vend.ByReceipt(ctx, db.Read(), "SKL51ZDRS4")
		if err != nil {
			t.Fatal(err)
		}
		m, _ := customer.GetMeter(ctx, db.Read(), replacement)
		ms, _ := m.STS()
		key, _ := b.gen.DecoderKey(ms)
		tok, _ := sts.Parse(v.Tokens[0].Digits)
		if _, err := sts.Decode(tok, key); err != nil {
			t.Errorf("the new meter's token does not decode under its key: %v", err)
		}
		if v.Tokens[0].TID >= before.LastTID+1000 {
			t.Errorf("the new meter's first TID %d continues the old meter's sequence (%d)", v.Tokens[0].TID, before.LastTID+1000)
		}
		// Staff give the old number's payment to the new meter.
		if _, err := payment.Assign(ctx, db, p.ID, replacement, "care:alice"); err != nil {
			t.Fatal(err)
		}
		b.drain(t)
		if v2, err := vend.ByReceipt(ctx, db.Read(), "SKL51ZDRS3"); err != nil || v2.MeterDRN != replacement || v2.Tokens[0].TID <= v.Tokens[0].TID {
			t.Errorf("assigned payment: %+v, %v", v2, err)
		}
		b.checkLedger(t)
	})
}

// A key change queued through the registry to a new supply group and key
// revision rides along with the next token: the key change tokens decode
// under the old key, the credit token under the new one, and the meter
// keeps the new parameters.
func TestKeyChangeToNewSupplyGroup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		const drn = "54500320905"
		sgc, krn := "654321", 2
		if _, err := b.registry().QueueKeyChange(ctx, "admin:bob", drn, customer.KeyParams{SGC: &sgc, KRN: &krn}); err != nil {
			t.Fatal(err)
		}
		old, _ := customer.GetMeter(ctx, db.Read(), drn)
		oldSTS, _ := old.STS()
		oldKey, _ := b.gen.DecoderKey(oldSTS)
		b.intake.Record(ctx, c2b("SKL51ZDRK2", drn, 200))
		b.drain(t)
		v, err := vend.ByReceipt(ctx, db.Read(), "SKL51ZDRK2")
		if err != nil || len(v.Tokens) != 3 {
			t.Fatalf("vend = %+v, %v", v, err)
		}
		now, _ := customer.GetMeter(ctx, db.Read(), drn)
		if now.SGC != sgc || now.KRN != krn || now.PendingKey != "" {
			t.Fatalf("meter after the key change: %+v", now)
		}
		newSTS, _ := now.STS()
		newKey, _ := b.gen.DecoderKey(newSTS)
		for i, tk := range v.Tokens {
			key := oldKey
			if tk.Kind == vend.KindCredit {
				key = newKey
			}
			tok, _ := sts.Parse(tk.Digits)
			if _, err := sts.Decode(tok, key); err != nil {
				t.Errorf("token %d (%s) does not decode under its key: %v", i, tk.Kind, err)
			}
		}
	})
}

// PriceInput places a payment in the meter's month: the energy already
// bought counts only within the month it was bought in, and the first
// purchase of a month takes the fixed charge.
func TestPriceInput(t *testing.T) {
	m := customer.Meter{Month: "2026-11", MonthWh: 50_000, Debt: 10_000}
	eat := func(y int, mo time.Month, d, h int) time.Time { return time.Date(y, mo, d, h, 0, 0, 0, tariff.Zone) }
	for _, tt := range []struct {
		at    time.Time
		want  int64
		first bool
	}{
		{eat(2026, 11, 30, 23), 50_000, false},
		{eat(2026, 12, 1, 0), 0, true}, // midnight EAT starts December
		{eat(2026, 10, 31, 12), 50_000, false},
	} {
		in := vend.PriceInput(m, 50_000, tt.at)
		if in.MonthEnergy != tt.want || in.FirstVendOfMonth != tt.first || in.Debt != 10_000 || in.Paid != money.Amount(50_000) {
			t.Errorf("at %s: %+v; want %d Wh, first %v, the meter's debt", tt.at, in, tt.want, tt.first)
		}
	}
}
