package charter_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

const (
	drn   = "54500320905"
	phone = "254708374149"
)

// clock is a settable time for the database's transactions.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }
func eat(s string) time.Time {
	t, _ := time.ParseInLocation("2006-01-02 15:04", s, charter.Zone)
	return t
}
func amountOf(t *testing.T, s string) money.Amount {
	t.Helper()
	a, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type bundle struct {
	db     *store.DB
	clock  *clock
	desk   *care.Desk
	intake *payment.Intake
	vend   *vend.Worker
	eval   *charter.Evaluator
}

func setup(t *testing.T, db *store.DB) *bundle {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := &clock{}
	c.set(eat("2026-11-03 10:00")) // a Tuesday
	db.Now = c.now
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := vend.SaveTariff(tx, "domestic", tariff.SampleYAML()); err != nil {
			return err
		}
		cu := &customer.Customer{Name: "Wanjiku Kamau", Language: "sw", Phones: []string{phone}}
		if err := customer.Create(tx, cu); err != nil {
			return err
		}
		return customer.CreateMeter(tx, &customer.Meter{DRN: drn, CustomerID: cu.ID, SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255,
			BaseDate: 2014, Algorithm: "EA07", DKGA: "02", TariffID: "domestic", Area: "Kibera"})
	})
	if err != nil {
		t.Fatal(err)
	}
	vk, _ := sts.ParseVendingKey("ABABABABABABABAB")
	gen, _ := sts.NewSoftwareGenerator(vk)
	in := payment.NewIntake(db)
	go in.Run(ctx)
	ch, err := charter.Default()
	if err != nil {
		t.Fatal(err)
	}
	return &bundle{db: db, clock: c, desk: &care.Desk{DB: db}, intake: in,
		vend: &vend.Worker{DB: db, Generator: gen, Tariffs: &vend.Tariffs{DB: db}, Utility: "Mteja Power"},
		eval: &charter.Evaluator{DB: db, Charter: ch, Utility: "Mteja Power", Quiet: notify.QuietHours{Off: true}}}
}

func (b *bundle) pay(t *testing.T, receipt string, shillings int64) {
	t.Helper()
	_, err := b.intake.Record(context.Background(), payment.Payment{Provider: payment.MpesaC2B, Receipt: receipt, Amount: money.MustFromMajor(shillings),
		AccountRef: drn, Payer: "bbff37cea44ac0b2d964ee0dfb8d2df8513dc7ba1b36129a929fc3fbd6dd4af4", ShortCode: "888880", PaidAt: b.clock.now()})
	if err != nil {
		t.Fatal(err)
	}
}

// noToken opens a "no token" ticket for the meter, now.
func (b *bundle) noToken(t *testing.T) care.Ticket {
	t.Helper()
	tk, _, err := b.desk.Open(context.Background(), care.Request{Channel: care.ChannelSMS, MSISDN: phone, MeterDRN: drn, Category: care.CategoryNoToken, Note: "no token"})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestBreachPaysOnceOnNextVend: a "no token" ticket left open past its
// four hours is a breach; the evaluator grants KES 50 once however often
// it runs, and the meter's next vend gives it once, even when the
// payment's callback is replayed and two vend workers run at once; the
// books balance throughout.
func TestBreachPaysOnceOnNextVend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		tk := b.noToken(t)

		b.clock.add(3*time.Hour + time.Minute)
		got, err := b.eval.RunOnce(ctx)
		if err != nil || got != (charter.Tally{Escalated: 1}) {
			t.Fatalf("at 3h01: %+v, %v; want one escalated", got, err)
		}
		b.clock.add(time.Hour)
		for i, want := range []charter.Tally{{Breached: 1}, {}, {}} {
			got, err := b.eval.RunOnce(ctx)
			if err != nil || got != want {
				t.Fatalf("run %d at 4h01: %+v, %v; want %+v", i, got, err, want)
			}
		}
		var credits int
		db.Read().QueryRow(`SELECT count(*) FROM charter_credits`).Scan(&credits)
		bal, _ := ledger.Balances(ctx, db.Read())
		if credits != 1 || bal[ledger.CompensationOwed] != -amountOf(t, "50") {
			t.Fatalf("credits %d, owed %s; want 1 and -50.00", credits, bal[ledger.CompensationOwed])
		}
		msgs, _ := notify.ByRef(ctx, db, tk.ID)
		var told []string
		for _, m := range msgs {
			if m.Template == "charter_breach" {
				told = append(told, m.Body)
			}
		}
		if len(told) != 1 || !strings.Contains(told[0], "Fidia ya KES 50.00") || !strings.Contains(told[0], tk.Ref) {
			t.Fatalf("breach messages %q; want one in Swahili naming KES 50.00 and %s", told, tk.Ref)
		}

		// The same callback ten times, and a second payment, vended by
		// two workers at once.
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() { defer wg.Done(); b.pay(t, "TKA1B2C3D4", 200) }()
		}
		wg.Wait()
		b.pay(t, "TKA1B2C3D5", 300)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 20 {
					if _, err := b.vend.RunOnce(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()

		vs, err := vend.ForMeter(ctx, db.Read(), drn, 10)
		if err != nil || len(vs) != 2 {
			t.Fatalf("vends %d, %v; want 2", len(vs), err)
		}
		var given money.Amount
		var first vend.Vend
		for _, v := range vs {
			given += v.Compensation
			if v.Compensation > 0 {
				first = v
			}
		}
		if given != amountOf(t, "50") || first.Quote.Total() != first.Amount+first.Compensation {
			t.Fatalf("compensation given %s, receipt lines %s for %s paid + %s; want 50.00 once, lines adding up", given, first.Quote.Total(), first.Amount, first.Compensation)
		}
		// The vend that gave it is the first of the meter's payments.
		p, _ := vend.ByReceipt(ctx, db.Read(), "TKA1B2C3D4")
		if p.ID != first.ID {
			t.Errorf("compensation went with vend %s, want the first payment's %s", first.ID, p.ID)
		}
		var vendID string
		db.Read().QueryRow(`SELECT vend_id FROM charter_credits`).Scan(&vendID)
		if vendID != first.ID {
			t.Errorf("credit taken by %q, want %s", vendID, first.ID)
		}
		if err := ledger.Check(ctx, db.Read()); err != nil {
			t.Fatal(err)
		}
		bal, _ = ledger.Balances(ctx, db.Read())
		if bal[ledger.CompensationOwed] != 0 || bal[ledger.CompensationExpense] != amountOf(t, "50") || bal[ledger.CustomerCredit] != 0 {
			t.Fatalf("balances %v; want nothing owed, 50.00 spent", bal)
		}
		tm, _ := notify.ByRef(ctx, db, first.ID)
		if len(tm) != 1 || !strings.Contains(tm[0].Body, "Fidia:50.00") {
			t.Fatalf("token messages %+v; want one showing Fidia:50.00", tm)
		}
	})
}

// TestPauseWhileWaitingOnCustomer: the clock stands still while the
// ticket waits on the customer, and runs again after their reply.
func TestPauseWhileWaitingOnCustomer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		tk := b.noToken(t)
		b.clock.add(time.Hour)
		if err := b.desk.SetState(ctx, tk.ID, "staff:amina", care.StatePendingCustomer); err != nil {
			t.Fatal(err)
		}
		b.clock.add(10 * time.Hour) // the customer takes ten hours to answer
		if _, _, err := b.desk.CustomerMessage(ctx, phone, "I have sent it"); err != nil {
			t.Fatal(err)
		}
		b.clock.add(2*time.Hour + 30*time.Minute) // 1h + 2h30 on the clock
		if got, err := b.eval.RunOnce(ctx); err != nil || got != (charter.Tally{Escalated: 1}) {
			t.Fatalf("3h30 on the clock: %+v, %v; want escalated, not breached", got, err)
		}
		b.clock.add(time.Hour)
		if got, err := b.eval.RunOnce(ctx); err != nil || got != (charter.Tally{Breached: 1}) {
			t.Fatalf("4h30 on the clock: %+v, %v; want a breach", got, err)
		}
	})
}
