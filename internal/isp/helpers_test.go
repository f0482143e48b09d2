package isp_test

import (
	"context"
	"crypto/md5"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

const (
	ispShortCode = "600100"
	alicePhone   = "254712000001"
	bobPhone     = "254712000002"
	password     = "s3cret-pw"
)

var kes = money.MustFromMajor

// clock is the database's clock in a test: it stands still until moved.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// eat is a time in East Africa Time.
func eat(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, tariff.Zone)
}

// Plans of the tests' ISP.
var (
	daily = isp.Plan{ID: "daily-1gb", Name: "Daily 1 GB", Kind: isp.Hotspot, Billing: isp.Bundle, Price: kes(50), Duration: 24 * time.Hour, Data: isp.GB,
		Rate:        isp.RateLimit{Rx: 2_000_000, Tx: 5_000_000, BurstRx: 4_000_000, BurstTx: 10_000_000, ThresholdRx: 1_500_000, ThresholdTx: 4_000_000, BurstTime: 10 * time.Second},
		SharedUsers: 1, Active: true}
	hour = isp.Plan{ID: "hour", Name: "1 hour", Kind: isp.Hotspot, Billing: isp.Bundle, Price: kes(10), Duration: time.Hour, Rate: isp.RateLimit{Rx: 1_000_000, Tx: 1_000_000}, SharedUsers: 1, Active: true}
	free = isp.Plan{ID: "free-64k", Name: "Free 64k", Kind: isp.Hotspot, Billing: isp.Bundle, Rate: isp.RateLimit{Rx: 64_000, Tx: 64_000}, SharedUsers: 1}
	week = isp.Plan{ID: "week-5gb", Name: "Week 5 GB", Kind: isp.Hotspot, Billing: isp.Bundle, Price: kes(300), Duration: 7 * 24 * time.Hour, Data: 5 * isp.GB, SharedUsers: 1, Fallback: "free-64k", Active: true}
	home = isp.Plan{ID: "home-10", Name: "Home 10 Mbps", Kind: isp.PPPoE, Billing: isp.Monthly, Price: kes(2000), Rate: isp.RateLimit{Rx: 10_000_000, Tx: 10_000_000},
		SharedUsers: 3, FairUseAfter: 100 * isp.GB, FairUseRate: isp.RateLimit{Rx: 1_000_000, Tx: 2_000_000}, Grace: 3 * 24 * time.Hour, FramedPool: "home", Active: true}
)

type bundle struct {
	db     *store.DB
	svc    *isp.Service
	clock  *clock
	intake *payment.Intake
	nas    radius.NAS
	alice  isp.Subscriber
	bob    isp.Subscriber
}

// setup makes the tests' ISP on db: its plans, two subscribers (alice on
// the daily bundle, bob on the monthly plan, neither paid), a router, an
// intake routing the ISP's short code, and the accounting writer running.
// The clock starts at 10:00 EAT on 15 May 2025.
func setup(t testing.TB, db *store.DB) *bundle {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := &clock{t: eat(2025, 5, 15, 10, 0)}
	db.Now = c.Now
	svc, err := isp.New(db, []byte("a seal key for the isp tests"), isp.Config{Name: "Mteja Net", ShortCodes: []string{ispShortCode}})
	if err != nil {
		t.Fatal(err)
	}
	go svc.RunAccounting(ctx)
	for _, p := range []isp.Plan{free, daily, hour, week, home} {
		if err := svc.SavePlan(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	b := &bundle{db: db, svc: svc, clock: c}
	b.alice = b.subscriber(t, "alice", daily.ID, alicePhone)
	b.bob = b.subscriber(t, "bob", home.ID, bobPhone)
	if b.nas, err = svc.AddNAS(ctx, "hotspot-1", netip.MustParseAddr("127.0.0.1"), "a shared secret of 24 ch", 0, "admin"); err != nil {
		t.Fatal(err)
	}
	b.intake = payment.NewIntake(db)
	b.intake.Services = map[string]string{ispShortCode: payment.Internet}
	b.intake.OnReceived = svc.Wake
	go b.intake.Run(ctx)
	return b
}

func (b *bundle) subscriber(t testing.TB, name, plan string, phones ...string) isp.Subscriber {
	t.Helper()
	ctx := context.Background()
	u, _, err := b.svc.CreateSubscriber(ctx, isp.Subscriber{Username: name, Phones: phones}, password)
	if err != nil {
		t.Fatal(err)
	}
	if plan != "" {
		if _, err := b.svc.Subscribe(ctx, u.ID, plan, "staff:care"); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// pay records an M-Pesa Paybill payment to the ISP's short code and lets
// the applier take it.
func (b *bundle) pay(t testing.TB, receipt, account string, amount money.Amount) payment.Payment {
	t.Helper()
	ctx := context.Background()
	if _, err := b.intake.Record(ctx, payment.Payment{Provider: payment.MpesaC2B, Receipt: receipt, Amount: amount, AccountRef: account,
		ShortCode: ispShortCode, Payer: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", PaidAt: b.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	b.apply(t)
	p, err := payment.ByReceipt(ctx, b.db.Read(), receipt)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (b *bundle) apply(t testing.TB) {
	t.Helper()
	for range 10 {
		n, err := b.svc.ApplyOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (b *bundle) live(t testing.TB, u isp.Subscriber) isp.Subscription {
	t.Helper()
	sub, err := b.svc.Live(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func (b *bundle) wallet(t testing.TB, u isp.Subscriber) money.Amount {
	t.Helper()
	got, err := b.svc.Subscriber(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.Balance
}

func (b *bundle) sweep(t testing.TB) {
	t.Helper()
	if err := b.svc.SweepOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// checkBooks proves the ledger balances and agrees with billing's records.
func (b *bundle) checkBooks(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	if err := ledger.Check(ctx, b.db.Read()); err != nil {
		t.Fatal(err)
	}
	if err := isp.CheckBooks(ctx, b.db.Read()); err != nil {
		t.Fatal(err)
	}
}

// messages returns the bodies queued to a phone, oldest first.
func (b *bundle) messages(t testing.TB, msisdn string) []string {
	t.Helper()
	ms, err := notify.ForRecipient(context.Background(), b.db, msisdn, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[len(ms)-1-i] = m.Body
	}
	return out
}

// pap is an AuthRequest's Check for a PAP password.
func pap(typed string) func(string) bool { return func(stored string) bool { return stored == typed } }

// chap is an AuthRequest's Check for a CHAP response to challenge, made by
// a client that knows typed: MD5(ident ‖ password ‖ challenge).
func chap(ident byte, typed string, challenge []byte) func(string) bool {
	sum := func(pw string) [16]byte { return md5.Sum(append(append([]byte{ident}, pw...), challenge...)) }
	response := sum(typed)
	return func(stored string) bool { return sum(stored) == response }
}

func (b *bundle) auth(t testing.TB, user string, check func(string) bool, mac string) radius.AuthDecision {
	t.Helper()
	d, err := b.svc.Authorize(context.Background(), radius.AuthRequest{NAS: b.nas, Username: user, Check: check, CallingStationID: mac, At: b.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// acct sends one accounting packet.
func (b *bundle) acct(t testing.TB, status radius.AcctStatus, user, session string, in, out int64) radius.AcctResult {
	t.Helper()
	res, err := b.svc.Account(context.Background(), radius.AcctRecord{NAS: b.nas, Status: status, Username: user, SessionID: session,
		InputBytes: in, OutputBytes: out, FramedIP: netip.MustParseAddr("10.5.50.7"), CallingStationID: "AA:BB:CC:00:00:01", At: b.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func storeDialect(d string) store.Dialect { return store.Dialect(d) }
