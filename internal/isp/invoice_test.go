package isp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// invoices lists a subscriber's invoices (not credit notes), oldest first.
func (b *bundle) invoices(t testing.TB, u isp.Subscriber) []isp.Invoice {
	t.Helper()
	got, err := b.svc.Invoices(context.Background(), isp.InvoiceFilter{SubscriberID: u.ID, Kind: isp.KindInvoice})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
		got[i], got[j] = got[j], got[i]
	}
	return got
}

// The invoice's tax lines, against a table worked by hand. The rounding
// rule: net = price / ((1 + excise) × (1 + VAT)) rounded half up to the
// cent; excise = net × rate, rounded half up; VAT = price − net − excise.
// The tax point is the issue date in EAT: an invoice issued in June 2023
// for a period starting in July is taxed at June's excise.
func TestInvoiceTaxLines(t *testing.T) {
	cents := func(s string) money.Amount { a, err := money.Parse(s); must(t, err); return a }
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		for i, c := range []struct {
			at               time.Time
			price            string
			net, excise, vat string
			vatBP, exciseBP  int64
		}{
			// 2000 / 1.334 = 1499.2504 → 1499.25; × 0.15 = 224.8875 → 224.89
			{eat(2025, 5, 15, 10, 0), "2000", "1499.25", "224.89", "275.86", 1600, 1500},
			// 2000 / 1.392 = 1436.7816 → 1436.78; × 0.20 = 287.356 → 287.36
			{eat(2022, 1, 10, 10, 0), "2000", "1436.78", "287.36", "275.86", 1600, 2000},
			// VAT relief: 2000 / (1.15 × 1.14 = 1.311) = 1525.5530 → 1525.55; × 0.15 = 228.8325 → 228.83
			{eat(2020, 6, 1, 12, 0), "2000", "1525.55", "228.83", "245.62", 1400, 1500},
			// The last minute of excise at 20%, and the first at 15% (EAT).
			// 1500 / 1.392 = 1077.5862 → 1077.59; × 0.20 = 215.518 → 215.52
			{eat(2023, 6, 30, 23, 59), "1500", "1077.59", "215.52", "206.89", 1600, 2000},
			// 1500 / 1.334 = 1124.4378 → 1124.44; × 0.15 = 168.666 → 168.67
			{eat(2023, 7, 1, 0, 0), "1500", "1124.44", "168.67", "206.89", 1600, 1500},
			// 999 / 1.334 = 748.8756 → 748.88; × 0.15 = 112.332 → 112.33
			{eat(2025, 5, 15, 10, 0), "999", "748.88", "112.33", "137.79", 1600, 1500},
			// Half a cent of excise rounds up: 121 / 1.334 = 90.7046 → 90.70; × 0.15 = 13.605 → 13.61
			{eat(2025, 5, 15, 10, 0), "121", "90.70", "13.61", "16.69", 1600, 1500},
			// A net a hair over half a cent: 120 / 1.334 = 89.95502 → 89.96; × 0.15 = 13.494 → 13.49
			{eat(2025, 5, 15, 10, 0), "120", "89.96", "13.49", "16.55", 1600, 1500},
		} {
			b.clock.Set(c.at)
			plan := home
			plan.ID, plan.Price = fmt.Sprintf("home-%d", i), cents(c.price)
			must(t, b.svc.SavePlan(context.Background(), plan))
			u := b.subscriber(t, fmt.Sprintf("tax%d", i), plan.ID)
			b.pay(t, fmt.Sprintf("SKT%07d", i), u.Username, plan.Price)
			invs := b.invoices(t, u)
			if len(invs) != 1 {
				t.Fatalf("case %d: %d invoices", i, len(invs))
			}
			inv := invs[0]
			if inv.Net != cents(c.net) || inv.Excise != cents(c.excise) || inv.VAT != cents(c.vat) || inv.Rates.VAT != c.vatBP || inv.Rates.Excise != c.exciseBP {
				t.Errorf("case %d, %s at %s: net %s excise %s VAT %s at %d/%d; want %s %s %s at %d/%d", i, c.price, c.at, inv.Net, inv.Excise, inv.VAT,
					inv.Rates.VAT, inv.Rates.Excise, c.net, c.excise, c.vat, c.vatBP, c.exciseBP)
			}
			if inv.Net+inv.Excise+inv.VAT != inv.Price || inv.Status != isp.InvoicePaid || !inv.IssuedAt.Equal(c.at) {
				t.Errorf("case %d: %+v", i, inv)
			}
		}
		// Issued in advance: the period starts under a new rate, the tax
		// point (the issue date) is under the old one.
		b.clock.Set(eat(2023, 6, 5, 9, 0))
		u := b.subscriber(t, "advance", home.ID)
		b.pay(t, "SKT0000100", "advance", home.Price) // 5 June to 5 July 09:00
		b.clock.Set(eat(2023, 6, 28, 9, 0))
		b.sweep(t)
		invs := b.invoices(t, u)
		if len(invs) != 2 {
			t.Fatalf("%d invoices after the sweep", len(invs))
		}
		next := invs[1]
		if next.Status != isp.InvoiceIssued || !next.PeriodStart.Equal(eat(2023, 7, 5, 9, 0)) || !next.DueAt.Equal(next.PeriodStart) ||
			!next.PeriodEnd.Equal(eat(2023, 8, 5, 9, 0)) || next.Rates.Excise != 2000 || next.Net != cents("1436.78") {
			t.Errorf("invoice in advance: %+v", next)
		}
		b.checkBooks(t)
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Numbers run without gaps in their series, whatever the concurrency,
// and a transaction that took a number and rolled back leaves no gap.
func TestInvoiceNumbersGapless(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		ctx := context.Background()
		const n = 16
		var users []isp.Subscriber
		for i := range n {
			u := b.subscriber(t, fmt.Sprintf("home%02d", i), "")
			b.pay(t, fmt.Sprintf("SKN%07d", i), u.Username, home.Price) // into the wallet: no plan yet
			users = append(users, u)
		}
		if n, err := isp.TakeNumberAndRollBack(db); err != nil || n != "INV-2025-000001" {
			t.Fatalf("number taken and rolled back: %q, %v", n, err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for _, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := b.svc.Buy(ctx, u.ID, u.Username, home.ID, "test")
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		all, err := b.svc.Invoices(ctx, isp.InvoiceFilter{})
		must(t, err)
		seen := map[string]bool{}
		for _, inv := range all {
			seen[inv.Number] = true
		}
		for i := 1; i <= n; i++ {
			if want := fmt.Sprintf("INV-2025-%06d", i); !seen[want] {
				t.Errorf("no %s among %d invoices", want, len(all))
			}
		}
		if len(all) != n {
			t.Errorf("%d invoices for %d purchases", len(all), n)
		}
		// A new year starts a new series.
		b.clock.Set(eat(2026, 1, 1, 0, 0))
		if n, err := isp.TakeNumberAndRollBack(db); err != nil || n != "INV-2026-000001" {
			t.Fatalf("first number of 2026: %q, %v", n, err)
		}
		b.checkBooks(t)
	})
}

// Two nodes sweeping at once issue one invoice for a period, and the
// numbers have no gap.
func TestOneInvoicePerPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.pay(t, "SKR0001701", "bob", home.Price) // 15 May to 15 June
		other, err := isp.New(db, []byte("a seal key for the isp tests"), isp.Config{Name: "Mteja Net", ShortCodes: []string{ispShortCode}})
		must(t, err)
		b.clock.Set(eat(2025, 6, 7, 10, 0)) // 8 days before: not yet
		b.sweep(t)
		if got := b.invoices(t, b.bob); len(got) != 1 {
			t.Fatalf("%d invoices 8 days before the period", len(got))
		}
		b.clock.Set(eat(2025, 6, 8, 3, 0)) // within the lead, but at night
		b.sweep(t)
		if got := b.invoices(t, b.bob); len(got) != 1 {
			t.Fatalf("an invoice issued at 03:00 EAT")
		}
		b.clock.Set(eat(2025, 6, 8, 10, 0))
		var wg sync.WaitGroup
		for _, svc := range []*isp.Service{b.svc, other, b.svc, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := svc.SweepOnce(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got := b.invoices(t, b.bob)
		if len(got) != 2 || got[0].Number != "INV-2025-000001" || got[1].Number != "INV-2025-000002" || got[1].Status != isp.InvoiceIssued {
			t.Fatalf("invoices: %+v", got)
		}
		msgs := b.messages(t, bobPhone)
		if last := msgs[len(msgs)-1]; !strings.Contains(last, "invoice INV-2025-000002 for Home 10 Mbps (bob): KES 2,000.00, due 15/06/2025 to Paybill 600100, account bob.") {
			t.Errorf("invoice message: %q", last)
		}
		// Paying the period pays its invoice, and issues no other.
		b.pay(t, "SKR0001702", "bob", home.Price)
		got = b.invoices(t, b.bob)
		if len(got) != 2 || got[1].Status != isp.InvoicePaid || got[1].PurchaseID == "" {
			t.Fatalf("after payment: %+v", got)
		}
		b.checkBooks(t)
	})
}

// Credit notes are the only correction: each has its own number, none
// takes more than is left, the last takes the lines left exactly, a paid
// invoice's credit goes back to the wallet, and the invoice itself keeps
// its lines.
func TestCreditNotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		ctx := context.Background()
		b.pay(t, "SKR0001801", "bob", home.Price)
		inv := b.invoices(t, b.bob)[0]
		if _, err := b.svc.Credit(ctx, inv.ID, kes(500), "  ", "staff:fin"); !errors.Is(err, isp.ErrCredit) {
			t.Errorf("no reason: %v", err)
		}
		if _, err := b.svc.Credit(ctx, inv.ID, 0, "outage", "staff:fin"); !errors.Is(err, isp.ErrCredit) {
			t.Errorf("nothing: %v", err)
		}
		cn1, err := b.svc.Credit(ctx, inv.ID, kes(500), "three days' outage", "staff:fin")
		must(t, err)
		if cn1.Number != "CN-2025-000001" || cn1.Kind != isp.KindCreditNote || cn1.Credits != inv.ID || !cn1.Refunded || cn1.Net+cn1.Excise+cn1.VAT != kes(500) {
			t.Errorf("credit note: %+v", cn1)
		}
		if b.wallet(t, b.bob) != kes(500) {
			t.Errorf("wallet %s after a credit of 500", b.wallet(t, b.bob))
		}
		if _, err := b.svc.Credit(ctx, inv.ID, kes(1501), "too much", "staff:fin"); !errors.Is(err, isp.ErrCredit) {
			t.Errorf("more than is left: %v", err)
		}
		if _, err := b.svc.Credit(ctx, cn1.ID, kes(1), "a credit note's", "staff:fin"); !errors.Is(err, isp.ErrCredit) {
			t.Errorf("a credit note credited: %v", err)
		}
		cn2, err := b.svc.Credit(ctx, inv.ID, kes(1500), "cancelled", "staff:fin")
		must(t, err)
		if cn2.Number != "CN-2025-000002" || cn1.Net+cn2.Net != inv.Net || cn1.Excise+cn2.Excise != inv.Excise || cn1.VAT+cn2.VAT != inv.VAT {
			t.Errorf("the credit notes do not reverse the invoice exactly: %+v %+v of %+v", cn1.Split, cn2.Split, inv.Split)
		}
		after, err := b.svc.GetInvoice(ctx, inv.ID)
		must(t, err)
		if after.Status != isp.InvoiceCredited || after.Credited != inv.Price || after.Split != inv.Split || after.Number != inv.Number || !after.IssuedAt.Equal(inv.IssuedAt) {
			t.Errorf("invoice after its credit notes: %+v", after)
		}
		if _, err := b.svc.Credit(ctx, inv.ID, 1, "again", "staff:fin"); !errors.Is(err, isp.ErrCredit) {
			t.Errorf("credited twice: %v", err)
		}
		if _, err := b.svc.Credit(ctx, "no-such-invoice", 1, "x", "staff:fin"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("no such invoice: %v", err)
		}
		notes, err := b.svc.Invoices(ctx, isp.InvoiceFilter{Credits: inv.ID})
		must(t, err)
		if len(notes) != 2 || b.wallet(t, b.bob) != home.Price {
			t.Errorf("%d credit notes, wallet %s", len(notes), b.wallet(t, b.bob))
		}
		b.checkBooks(t)
	})
}

// Documents are signed after they are stored: a unit that is down leaves
// them awaiting signature, retried later, never lost.
func TestETIMSSigning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		down := true
		unit := &isp.SimulatedUnit{Key: []byte("unit key"), Fail: func(isp.Invoice) error {
			if down {
				return errors.New("control unit unreachable")
			}
			return nil
		}}
		b := setup(t, db)
		svc, err := isp.New(db, []byte("a seal key for the isp tests"), isp.Config{Name: "Mteja Net", PIN: "P051234567X", Signer: unit, ShortCodes: []string{ispShortCode}})
		must(t, err)
		b.svc = svc
		b.pay(t, "SKR0001901", "bob", home.Price)
		n, err := svc.SignOnce(ctx)
		must(t, err)
		inv := b.invoices(t, b.bob)[0]
		if n != 0 || inv.Signed() || inv.SignAttempts != 1 || !strings.Contains(inv.SignError, "unreachable") || inv.SellerPIN != "P051234567X" {
			t.Fatalf("unit down: %d signed, %+v", n, inv)
		}
		down = false
		if n, _ := svc.SignOnce(ctx); n != 0 {
			t.Fatal("retried before its time")
		}
		b.clock.Add(time.Minute)
		if n, err := svc.SignOnce(ctx); err != nil || n != 1 {
			t.Fatalf("signed %d: %v", n, err)
		}
		inv = b.invoices(t, b.bob)[0]
		if !inv.Signed() || inv.ETIMS.CUSerial != "SIM-CU-0001" || inv.ETIMS.Signature == "" || inv.ETIMS.ReceiptNumber != inv.Number ||
			!strings.Contains(inv.ETIMS.QR, "SIMULATOR") || !strings.Contains(inv.ETIMS.QR, "P051234567X") || inv.SignError != "" {
			t.Errorf("signed: %+v", inv.ETIMS)
		}
		if n, _ := svc.SignOnce(ctx); n != 0 {
			t.Error("signed twice")
		}
	})
}

// A credit note on an invoice not yet paid lowers what is owed: paying
// what is left pays the period, and a wallet renews it at that price. An
// invoice paid in full after its credit notes (bought outright) gives what
// was credited back to the wallet. The books balance throughout.
func TestCreditBeforePayment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		ctx := context.Background()
		b.pay(t, "SKC0000001", "bob", home.Price) // 15 May to 15 June
		b.clock.Set(eat(2025, 6, 8, 10, 0))
		b.sweep(t)
		june := b.invoices(t, b.bob)[1]
		cn, err := b.svc.Credit(ctx, june.ID, kes(300), "goodwill: a week of outages", "staff:fin")
		must(t, err)
		if cn.Refunded || b.wallet(t, b.bob) != 0 {
			t.Fatalf("a credit note of an unpaid invoice moved money: %+v, wallet %s", cn, b.wallet(t, b.bob))
		}
		b.pay(t, "SKC0000002", "bob", kes(1000))
		if msgs := b.messages(t, bobPhone); !strings.Contains(msgs[len(msgs)-1], "Home 10 Mbps costs KES 1,700.00: pay KES 700.00 more") {
			t.Errorf("part paid: %q", msgs[len(msgs)-1])
		}
		b.pay(t, "SKC0000005", "bob", kes(700)) // what the invoice says is left
		paid := func(id string, wantPrice money.Amount) {
			t.Helper()
			inv, err := b.svc.GetInvoice(ctx, id)
			must(t, err)
			ps, err := b.svc.Purchases(ctx, isp.PurchaseFilter{SubscriberID: b.bob.ID})
			must(t, err)
			var price money.Amount
			for _, p := range ps {
				if p.ID == inv.PurchaseID {
					price = p.Price
				}
			}
			if inv.Status != isp.InvoicePaid || price != wantPrice {
				t.Fatalf("invoice %s: %s by a purchase of %s, want paid by %s", inv.Number, inv.Status, price, wantPrice)
			}
		}
		paid(june.ID, kes(1700))
		if b.wallet(t, b.bob) != 0 || b.live(t, b.bob).EndsAt != eat(2025, 7, 15, 10, 0).UTC() {
			t.Fatalf("paid what was left: wallet %s, ends %s", b.wallet(t, b.bob), b.live(t, b.bob).EndsAt)
		}

		// Part of the price waits in the wallet; a credit note makes it
		// enough, and the renewal takes what is left.
		b.pay(t, "SKC0000003", "bob", kes(1000))
		b.clock.Set(eat(2025, 7, 8, 10, 0))
		b.sweep(t)
		july := b.invoices(t, b.bob)[2]
		_, err = b.svc.Credit(ctx, july.ID, kes(1000), "moved house mid-month", "staff:fin")
		must(t, err)
		b.clock.Set(eat(2025, 7, 15, 10, 0))
		b.sweep(t)
		paid(july.ID, kes(1000))
		if sub := b.live(t, b.bob); b.wallet(t, b.bob) != 0 || sub.State != isp.Active {
			t.Fatalf("renewed at the price left: wallet %s, %s", b.wallet(t, b.bob), sub.State)
		}

		// Bought outright at the plan's price, by a friend: what was
		// credited comes back to the subscriber's wallet.
		b.clock.Set(eat(2025, 8, 8, 10, 0))
		b.sweep(t)
		august := b.invoices(t, b.bob)[3]
		_, err = b.svc.Credit(ctx, august.ID, kes(200), "loyalty", "staff:fin")
		must(t, err)
		friend := b.subscriber(t, "friend", "")
		b.pay(t, "SKC0000004", "friend", home.Price)
		_, err = b.svc.Buy(ctx, friend.ID, "bob", home.ID, "friend")
		must(t, err)
		paid(august.ID, home.Price)
		notes, err := b.svc.Invoices(ctx, isp.InvoiceFilter{Credits: august.ID})
		must(t, err)
		if len(notes) != 1 || !notes[0].Refunded || b.wallet(t, b.bob) != kes(200) {
			t.Fatalf("bought outright: notes %+v, wallet %s", notes, b.wallet(t, b.bob))
		}
		b.checkBooks(t)
	})
}

// The database itself keeps an invoice as issued: its number, parties,
// period and lines cannot be changed, nor the row deleted, on either
// engine; what may change (status, credit, payment, signature) does.
func TestInvoicesAreNeverEdited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.pay(t, "SKE0000001", "bob", home.Price)
		inv := b.invoices(t, b.bob)[0]
		for _, q := range []string{
			`UPDATE isp_invoices SET price = 1 WHERE id = $1`,
			`UPDATE isp_invoices SET number = 'INV-2025-999999' WHERE id = $1`,
			`UPDATE isp_invoices SET buyer_name = 'someone else' WHERE id = $1`,
			`UPDATE isp_invoices SET issued_at = 0 WHERE id = $1`,
			`DELETE FROM isp_invoices WHERE id = $1`,
		} {
			err := db.InTx(context.Background(), func(tx *store.Tx) error {
				_, err := tx.Exec(q, inv.ID)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "credit note") {
				t.Errorf("%s: %v; want refused", q, err)
			}
		}
		after, err := b.svc.GetInvoice(context.Background(), inv.ID)
		must(t, err)
		if after.Split != inv.Split || after.Number != inv.Number {
			t.Errorf("changed: %+v", after)
		}
		if _, err := b.svc.Credit(context.Background(), inv.ID, kes(100), "the changes allowed go on", "staff:fin"); err != nil {
			t.Error(err)
		}
	})
}
