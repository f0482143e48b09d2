package isp_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// Paybill payments to the ISP's short code: each is credited once to the
// wallet of the subscriber its account names, buys their plan when the
// wallet holds its price, and leaves the rest in the wallet; a payment for
// nobody waits in suspense.
func TestPaymentsApplied(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)

		// The exact price, the account typed in capitals with a space.
		p := b.pay(t, "SKR0000301", " Alice ", kes(50))
		if p.State != payment.Applied {
			t.Fatalf("payment %s: %s", p.Receipt, p.State)
		}
		if sub := b.live(t, b.alice); sub.State != isp.Active || sub.DataLimit != isp.GB || !sub.EndsAt.Equal(eat(2025, 5, 16, 10, 0)) {
			t.Fatalf("after paying: %+v", sub)
		}
		if msgs := b.messages(t, alicePhone); len(msgs) != 1 || !strings.Contains(msgs[0], "received KES 50.00 (SKR0000301) for alice. Daily 1 GB is active until 16/05/2025 10:00. Wallet: KES 0.00.") {
			t.Fatalf("message: %q", msgs)
		}

		// More than the price: it buys another day, on top of this one, and
		// the rest waits in the wallet.
		b.pay(t, "SKR0000302", "alice", kes(80))
		sub := b.live(t, b.alice)
		if !sub.EndsAt.Equal(eat(2025, 5, 17, 10, 0)) || sub.DataLimit != 2*isp.GB || b.wallet(t, b.alice) != kes(30) {
			t.Fatalf("overpaid: ends %s, data %d, wallet %s", sub.EndsAt, sub.DataLimit, b.wallet(t, b.alice))
		}
		// Less than the price: the wallet takes it and says what is missing.
		b.pay(t, "SKR0000303", "0712 000 002", kes(500)) // bob, by his phone
		if sub := b.live(t, b.bob); sub.State != isp.Pending || b.wallet(t, b.bob) != kes(500) {
			t.Fatalf("underpaid: %s, wallet %s", sub.State, b.wallet(t, b.bob))
		}
		if msgs := b.messages(t, bobPhone); len(msgs) != 1 || !strings.Contains(msgs[0], "Home 10 Mbps costs KES 2,000.00: pay KES 1,500.00 more to Paybill 600100, account bob.") {
			t.Fatalf("message: %q", msgs)
		}
		b.pay(t, "SKR0000304", "bob", kes(1500))
		if sub := b.live(t, b.bob); sub.State != isp.Active || b.wallet(t, b.bob) != 0 {
			t.Fatalf("paid up: %s, wallet %s", sub.State, b.wallet(t, b.bob))
		}

		// Nobody's: suspense, in the ISP's own account.
		p = b.pay(t, "SKR0000305", "nosuchuser", kes(100))
		if p.State != payment.Suspense || !strings.Contains(p.Reason, `no subscriber "nosuchuser"`) {
			t.Fatalf("unknown account: %s %q", p.State, p.Reason)
		}
		bal, _ := ledger.Balances(ctx, db.Read())
		if bal[ledger.ISPSuspense] != -kes(100) || bal[ledger.Suspense] != 0 {
			t.Fatalf("suspense accounts: %v", bal)
		}
		// Staff find whose it was.
		if err := b.svc.AssignPayment(ctx, p.ID, "alice", "staff:finance"); err != nil {
			t.Fatal(err)
		}
		if err := b.svc.AssignPayment(ctx, p.ID, "alice", "staff:finance"); !errors.Is(err, payment.ErrState) {
			t.Fatalf("assigned twice: %v", err)
		}
		if b.wallet(t, b.alice) != kes(80) {
			t.Fatalf("wallet after assignment: %s", b.wallet(t, b.alice))
		}
		// A phone shared by two accounts does not say which.
		carol := b.subscriber(t, "carol", daily.ID, bobPhone)
		p = b.pay(t, "SKR0000306", "0712000002", kes(50))
		if p.State != payment.Suspense || !strings.Contains(p.Reason, "registered to 2 subscribers") {
			t.Fatalf("shared phone: %s %q", p.State, p.Reason)
		}
		if b.wallet(t, carol) != 0 {
			t.Fatal("a shared phone's payment went to a wallet")
		}

		// The same payment again (M-Pesa retries) changes nothing.
		before := b.wallet(t, b.alice)
		b.pay(t, "SKR0000302", "alice", kes(80))
		if b.wallet(t, b.alice) != before {
			t.Fatal("a repeated payment was credited again")
		}
		b.checkBooks(t)
	})
}

// Buying for a friend: a Paybill payment naming the friend's username, or
// a plan bought for them from one's own wallet.
func TestBuyForAFriend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		// Bob's phone pays for alice: the money is alice's.
		b.pay(t, "SKR0000401", "alice", kes(50))
		if sub := b.live(t, b.alice); sub.State != isp.Active {
			t.Fatalf("alice: %s", sub.State)
		}
		// Bob buys alice a week from his wallet, which must hold its price.
		if _, err := b.svc.Buy(ctx, b.bob.ID, "alice", week.ID, "bob"); !errors.Is(err, isp.ErrFunds) {
			t.Fatalf("an empty wallet bought: %v", err)
		}
		b.pay(t, "SKR0000402", "bob", kes(350))
		p, err := b.svc.Buy(ctx, b.bob.ID, "alice", week.ID, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if p.SubscriberID != b.alice.ID || p.PayerID != b.bob.ID || p.Price != kes(300) || p.Net+p.Excise+p.VAT != p.Price {
			t.Fatalf("purchase %+v", p)
		}
		sub := b.live(t, b.alice)
		if sub.PlanID != week.ID || !sub.EndsAt.Equal(eat(2025, 5, 22, 10, 0)) || sub.DataLimit != 5*isp.GB {
			t.Fatalf("alice's week: %+v", sub)
		}
		if b.wallet(t, b.bob) != kes(50) || b.wallet(t, b.alice) != 0 {
			t.Fatalf("wallets: bob %s, alice %s", b.wallet(t, b.bob), b.wallet(t, b.alice))
		}
		if msgs := b.messages(t, alicePhone); !strings.Contains(msgs[len(msgs)-1], "Week 5 GB for alice is active until 22/05/2025 10:00.") {
			t.Fatalf("alice was told %q", msgs)
		}
		// Alice's purchases, as an invoice reads them: hers, though bob paid one.
		ps, err := b.svc.Purchases(ctx, isp.PurchaseFilter{SubscriberID: b.alice.ID})
		if err != nil || len(ps) != 2 || ps[0].PlanID != daily.ID || ps[1].PayerID != b.bob.ID || ps[1].Rates.VAT != 1600 || ps[1].Excise != 3373 {
			t.Fatalf("purchases %+v, %v", ps, err)
		}
		if ps, _ := b.svc.Purchases(ctx, isp.PurchaseFilter{From: b.clock.Now().Add(time.Second)}); len(ps) != 0 {
			t.Fatalf("purchases from the future: %+v", ps)
		}
		b.checkBooks(t)
	})
}

type stkClient struct{ n int }

func (c *stkClient) STKPush(_ context.Context, r mpesa.STKPushRequest) (mpesa.STKPushResponse, error) {
	c.n++
	return mpesa.STKPushResponse{CheckoutRequestID: "ws_CO_" + r.AccountReference, MerchantRequestID: "m-1"}, nil
}

// A bundle bought by STK push: the price less what the wallet holds is
// asked for, and the payment buys that bundle, not the subscription's own.
func TestBuyBundleBySTK(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		if _, err := b.svc.BuyBundle(ctx, alicePhone, "alice", week.ID, "portal"); !errors.Is(err, isp.ErrNoSTK) {
			t.Fatalf("without a client: %v", err)
		}
		client := &stkClient{}
		stk := &payment.STK{DB: db, Intake: b.intake, CallbackURL: "https://example.org/cb"}
		svc, err := isp.New(db, []byte("a seal key for the isp tests"), isp.Config{ShortCodes: []string{ispShortCode}, STK: stk, Daraja: client})
		if err != nil {
			t.Fatal(err)
		}
		b.pay(t, "SKR0000501", "alice", kes(20)) // less than a day: it waits in the wallet
		r, err := svc.BuyBundle(ctx, "0712000009", "alice", week.ID, "portal")
		if err != nil {
			t.Fatal(err)
		}
		if r.Amount != kes(280) || r.Service != payment.Internet {
			t.Fatalf("push %+v", r)
		}
		if _, err := stk.Settle(ctx, mpesa.STKCallback{CheckoutRequestID: r.CheckoutRequestID, MerchantRequestID: "m-1", ResultCode: 0,
			Amount: kes(280), Receipt: "SKR0000502", Phone: "254712000009", TransactionDate: time.Now()}); err != nil {
			t.Fatal(err)
		}
		b.apply(t)
		if p, _ := payment.ByReceipt(ctx, db.Read(), "SKR0000502"); p.ShortCode != ispShortCode || p.State != payment.Applied {
			t.Fatalf("the push's payment: %+v; want it applied, to the ISP's short code", p)
		}
		sub := b.live(t, b.alice)
		if sub.State != isp.Active || sub.PlanID != week.ID || b.wallet(t, b.alice) != 0 {
			t.Fatalf("after the push: %s on %s, wallet %s", sub.State, sub.PlanID, b.wallet(t, b.alice))
		}
		// The payer, who is not alice, hears of it too.
		if msgs := b.messages(t, "254712000009"); len(msgs) != 1 || !strings.Contains(msgs[0], "Week 5 GB is active") {
			t.Fatalf("payer's message %q", msgs)
		}
		if _, err := svc.BuyBundle(ctx, alicePhone, "alice", free.ID, "portal"); !errors.Is(err, isp.ErrPlanShut) {
			t.Fatalf("a free plan by STK: %v", err)
		}
		b.checkBooks(t)
	})
}

// The same payment arriving twenty times at once, applied by three workers
// at once (as several nodes do), is credited once.
func TestPaymentAppliedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := b.intake.Record(ctx, payment.Payment{Provider: payment.MpesaC2B, Receipt: "SKR0000601", Amount: kes(70), AccountRef: "alice", ShortCode: ispShortCode}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := b.svc.ApplyOnce(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		b.apply(t)
		if w := b.wallet(t, b.alice); w != kes(20) {
			t.Fatalf("wallet %s; want KES 20.00 (70 paid once, 50 spent)", w)
		}
		var n int
		db.Read().QueryRow(`SELECT count(*) FROM isp_purchases`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d purchases", n)
		}
		b.checkBooks(t)
	})
}
