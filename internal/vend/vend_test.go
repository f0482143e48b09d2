package vend_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

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

// testVendingKey is the public STS test vending key of the shared vectors.
const testVendingKey = "ABABABABABABABAB"

type bundle struct {
	db     *store.DB
	intake *payment.Intake
	worker *vend.Worker
	gen    *sts.SoftwareGenerator
}

func setup(t *testing.T, db *store.DB) *bundle {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	vk, err := sts.ParseVendingKey(testVendingKey)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := sts.NewSoftwareGenerator(vk)
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := vend.SaveTariff(tx, "domestic", tariff.SampleYAML()); err != nil {
			return err
		}
		c := &customer.Customer{Name: "John Doe", Language: "en", Phones: []string{"254708374149"}}
		if err := customer.Create(tx, c); err != nil {
			return err
		}
		for _, drn := range []string{"01234567897", "54500320905"} {
			if err := customer.CreateMeter(tx, &customer.Meter{DRN: drn, CustomerID: c.ID, SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255,
				BaseDate: 2014, Algorithm: "EA07", DKGA: "02", TariffID: "domestic"}); err != nil {
				return err
			}
		}
		return customer.CreateMeter(tx, &customer.Meter{DRN: "04040404043", SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255,
			BaseDate: 2014, Algorithm: "EA07", DKGA: "02", TariffID: "domestic", Status: customer.MeterBlocked})
	})
	if err != nil {
		t.Fatal(err)
	}
	in := payment.NewIntake(db)
	go in.Run(ctx)
	w := &vend.Worker{DB: db, Generator: gen, Tariffs: &vend.Tariffs{DB: db}, Utility: "Mteja Power"}
	return &bundle{db: db, intake: in, worker: w, gen: gen}
}

func c2b(receipt, account string, shillings int64) payment.Payment {
	return payment.Payment{Provider: payment.MpesaC2B, Receipt: receipt, Amount: money.MustFromMajor(shillings), AccountRef: account,
		Payer: "bbff37cea44ac0b2d964ee0dfb8d2df8513dc7ba1b36129a929fc3fbd6dd4af4", ShortCode: "888880", PaidAt: time.Now()}
}

// drain runs the worker until nothing is left.
func (b *bundle) drain(t *testing.T) {
	t.Helper()
	for range 100 {
		n, err := b.worker.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("worker did not drain")
}

func (b *bundle) checkLedger(t *testing.T) {
	t.Helper()
	if err := ledger.Check(context.Background(), b.db.Read()); err != nil {
		t.Fatal(err)
	}
}

func TestPaymentBecomesOneToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		// The same confirmation arrives ten times at once.
		var wg sync.WaitGroup
		dups := make(chan bool, 10)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := b.intake.Record(ctx, c2b("SKL51ZDR4F", "545 0032 0905", 500))
				if err != nil {
					t.Error(err)
				}
				dups <- r.Duplicate
			}()
		}
		wg.Wait()
		close(dups)
		fresh := 0
		for d := range dups {
			if !d {
				fresh++
			}
		}
		if fresh != 1 {
			t.Fatalf("%d of 10 identical callbacks were recorded as new; want 1", fresh)
		}
		b.drain(t)
		v, err := vend.ByReceipt(ctx, db.Read(), "SKL51ZDR4F")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Tokens) != 1 || v.Tokens[0].Kind != vend.KindCredit {
			t.Fatalf("tokens = %+v", v.Tokens)
		}
		if v.Quote.Total() != money.MustFromMajor(500) {
			t.Fatalf("receipt lines add up to %s, want 500.00", v.Quote.Total())
		}
		// The token is what a meter with this key accepts.
		m, _ := customer.GetMeter(ctx, db.Read(), "54500320905")
		sm, _ := m.STS()
		dk, err := b.gen.DecoderKey(sm)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := sts.Parse(v.Tokens[0].Digits)
		if err != nil {
			t.Fatal(err)
		}
		d, err := sts.Decode(tok, dk)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if d.Class != sts.ClassCredit || int64(d.Amount.Value()) < v.Tenths || int64(d.TID) != m.LastTID {
			t.Fatalf("decoded %+v; vend tenths %d, meter last TID %d", d, v.Tenths, m.LastTID)
		}
		msgs, _ := notify.ByRef(ctx, db, v.ID)
		if len(msgs) != 1 || msgs[0].Recipient != "254708374149" || msgs[0].Lane != notify.LaneToken {
			t.Fatalf("messages = %+v", msgs)
		}
		b.checkLedger(t)
		bal, _ := ledger.Balances(ctx, db.Read())
		if bal[ledger.MpesaClearing] != money.MustFromMajor(500) || bal[ledger.CustomerCredit] != 0 {
			t.Fatalf("balances %v", bal)
		}
	})
}

func TestTIDsIncreasePerMeter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		for i := range 5 {
			if _, err := b.intake.Record(ctx, c2b(fmt.Sprintf("SKL51ZDR%02d", i), "54500320905", 100)); err != nil {
				t.Fatal(err)
			}
		}
		b.drain(t)
		vs, err := vend.ForMeter(ctx, db.Read(), "54500320905", 10)
		if err != nil || len(vs) != 5 {
			t.Fatalf("vends = %d, %v", len(vs), err)
		}
		seen := map[int64]bool{}
		for _, v := range vs {
			tid := v.Tokens[0].TID
			if seen[tid] {
				t.Fatalf("TID %d issued twice for one meter", tid)
			}
			seen[tid] = true
		}
		b.checkLedger(t)
	})
}

// A batch of vends books one journal: per account, the sum of the vends'
// receipt lines, and every vend names it.
func TestBatchBooksOneJournal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		for i, acct := range []string{"54500320905", "01234567897", "54500320905", "01234567897", "54500320905"} {
			if _, err := b.intake.Record(ctx, c2b(fmt.Sprintf("SKL51ZDJ%02d", i), acct, int64(100+i*37))); err != nil {
				t.Fatal(err)
			}
		}
		b.drain(t)
		var journals, unbooked int
		var journal string
		if err := db.Read().QueryRowContext(ctx, `SELECT count(DISTINCT txn_id), min(txn_id) FROM ledger_postings WHERE kind = 'vends'`).Scan(&journals, &journal); err != nil {
			t.Fatal(err)
		}
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM vends WHERE journal_id IS NULL OR journal_id <> $1`, journal).Scan(&unbooked); err != nil {
			t.Fatal(err)
		}
		if journals != 1 || unbooked != 0 {
			t.Fatalf("%d journals (%s), %d vends not naming it; want one journal naming all five", journals, journal, unbooked)
		}
		var energy, vat money.Amount
		for _, drn := range []string{"54500320905", "01234567897"} {
			vs, err := vend.ForMeter(ctx, db.Read(), drn, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				energy += v.Quote.Line("energy").Amount
				vat += v.Quote.Line("vat").Amount
			}
		}
		b.checkLedger(t)
		bal, _ := ledger.Balances(ctx, db.Read())
		if energy == 0 || bal[ledger.EnergyRevenue] != -energy || bal[ledger.VATPayable] != -vat || bal[ledger.CustomerCredit] != 0 {
			t.Fatalf("balances %v; want energy revenue -%s, VAT -%s from the vends' quotes", bal, energy, vat)
		}
	})
}

func TestUnmatchedPaymentsWaitInSuspense(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		cases := []struct {
			receipt, account string
			amount           int64
			reason           string
		}{
			{"SKL51ZDRA1", "99999999999", 500, "no meter"},
			{"SKL51ZDRA2", "04040404043", 500, "blocked"},
			{"SKL51ZDRA3", "54500320905", 50, "below the minimum"},
			{"SKL51ZDRA4", "54500320905", 40000, "above the maximum"},
		}
		for _, c := range cases {
			if _, err := b.intake.Record(ctx, c2b(c.receipt, c.account, c.amount)); err != nil {
				t.Fatal(err)
			}
		}
		b.drain(t)
		for _, c := range cases {
			p, err := payment.ByReceipt(ctx, db.Read(), c.receipt)
			if err != nil {
				t.Fatal(err)
			}
			if p.State != payment.Suspense || !strings.Contains(p.Reason, c.reason) {
				t.Errorf("%s: state %s reason %q; want suspense with %q", c.receipt, p.State, p.Reason, c.reason)
			}
		}
		b.checkLedger(t)
		// Staff assign the mistyped one to the right meter: it vends.
		p, _ := payment.ByReceipt(ctx, db.Read(), "SKL51ZDRA1")
		if _, err := payment.Assign(ctx, db, p.ID, "54500320905", "care:alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := payment.Assign(ctx, db, p.ID, "54500320905", "care:alice"); !errors.Is(err, payment.ErrState) {
			t.Fatalf("second assign: %v; want ErrState", err)
		}
		b.drain(t)
		if _, err := vend.ByReceipt(ctx, db.Read(), "SKL51ZDRA1"); err != nil {
			t.Fatalf("assigned payment not vended: %v", err)
		}
		// And refund the one above the maximum.
		p, _ = payment.ByReceipt(ctx, db.Read(), "SKL51ZDRA4")
		if _, err := payment.Refund(ctx, db, p.ID, "finance:bob", "above maximum purchase"); err != nil {
			t.Fatal(err)
		}
		b.checkLedger(t)
		bal, _ := ledger.Balances(ctx, db.Read())
		// Left in suspense: A2 (500) and A3 (50).
		if bal[ledger.Suspense] != -money.MustFromMajor(550) {
			t.Fatalf("suspense balance %s; want -550.00", bal[ledger.Suspense])
		}
	})
}

func TestCrashBetweenPaymentAndVendResumes(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			db.Migrate(ctx)
			b := setup(t, db)
			if _, err := b.intake.Record(ctx, c2b("SKL51ZDRC1", "54500320905", 300)); err != nil {
				t.Fatal(err)
			}
			db.Close() // the process dies before any vend
			db2, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			vk, _ := sts.ParseVendingKey(testVendingKey)
			gen, _ := sts.NewSoftwareGenerator(vk)
			w := &vend.Worker{DB: db2, Generator: gen, Tariffs: &vend.Tariffs{DB: db2}}
			for range 3 {
				if _, err := w.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
			}
			var n int
			db2.Read().QueryRow(`SELECT count(*) FROM tokens`).Scan(&n)
			if n != 1 {
				t.Fatalf("%d tokens after restart; want 1", n)
			}
		})
	}
}

func TestPendingKeyChangeRidesAlong(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		db.Write().Exec(`UPDATE meters SET pending_key = '{"ti":2,"krn":1,"kt":2,"ken":255,"base_date":2014}' WHERE drn = '54500320905'`)
		old, _ := customer.GetMeter(ctx, db.Read(), "54500320905")
		oldSTS, _ := old.STS()
		oldKey, _ := b.gen.DecoderKey(oldSTS)
		b.intake.Record(ctx, c2b("SKL51ZDRK1", "54500320905", 200))
		b.drain(t)
		v, err := vend.ByReceipt(ctx, db.Read(), "SKL51ZDRK1")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Tokens) != 3 || v.Tokens[0].Kind != vend.KindKeyChange1 || v.Tokens[1].Kind != vend.KindKeyChange2 || v.Tokens[2].Kind != vend.KindCredit {
			t.Fatalf("tokens = %+v", v.Tokens)
		}
		for _, tk := range v.Tokens[:2] {
			tok, _ := sts.Parse(tk.Digits)
			if _, err := sts.Decode(tok, oldKey); err != nil {
				t.Fatalf("key change token does not decode under the current key: %v", err)
			}
		}
		now, _ := customer.GetMeter(ctx, db.Read(), "54500320905")
		if now.TI != 2 || now.PendingKey != "" {
			t.Fatalf("meter after key change: ti %d pending %q", now.TI, now.PendingKey)
		}
		newSTS, _ := now.STS()
		newKey, _ := b.gen.DecoderKey(newSTS)
		tok, _ := sts.Parse(v.Tokens[2].Digits)
		if _, err := sts.Decode(tok, newKey); err != nil {
			t.Fatalf("credit token does not decode under the new key: %v", err)
		}
		b.checkLedger(t)
	})
}

// A payment to the ISP's short code is the ISP's work item: the vend worker
// leaves it alone, even when its account is one of our meters' numbers.
func TestWorkerLeavesOtherServices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.intake.Services = map[string]string{"600100": payment.Internet}
		isp := c2b("SKL51ZDRI1", "54500320905", 50)
		isp.ShortCode = "600100"
		if _, err := b.intake.Record(ctx, isp); err != nil {
			t.Fatal(err)
		}
		if _, err := b.intake.Record(ctx, c2b("SKL51ZDRE1", "54500320905", 500)); err != nil {
			t.Fatal(err)
		}
		b.drain(t)
		if p, _ := payment.ByReceipt(ctx, db.Read(), "SKL51ZDRI1"); p.State != payment.Received || p.Service != payment.Internet {
			t.Fatalf("the ISP's payment is %s (%s); want it received, waiting for the ISP", p.State, p.Service)
		}
		if _, err := vend.ByReceipt(ctx, db.Read(), "SKL51ZDRI1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the ISP's payment was vended: %v", err)
		}
		if p, _ := payment.ByReceipt(ctx, db.Read(), "SKL51ZDRE1"); p.State != payment.Applied {
			t.Fatalf("the utility's payment is %s; want applied", p.State)
		}
		b.checkLedger(t)
	})
}
