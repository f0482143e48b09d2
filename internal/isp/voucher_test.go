package isp_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// Vouchers: printed in batches, each good once before its batch expires,
// typed on the captive page (the code becomes an account) or redeemed into
// an account by SMS; their face value is booked when used.
func TestVouchers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		if _, err := b.svc.NewVouchers(ctx, daily.ID, 0, b.clock.Now().AddDate(0, 1, 0), "", "staff:admin"); err == nil {
			t.Fatal("a batch of none")
		}
		if _, err := b.svc.NewVouchers(ctx, free.ID, 5, b.clock.Now().AddDate(0, 1, 0), "", "staff:admin"); !errors.Is(err, isp.ErrPlanShut) {
			t.Fatalf("vouchers for a free plan: %v", err)
		}
		batch, err := b.svc.NewVouchers(ctx, daily.ID, 30, eat(2025, 6, 30, 23, 59), "Kibera shop", "staff:admin")
		if err != nil {
			t.Fatal(err)
		}
		// The price changes after printing: vouchers keep theirs.
		raised := daily
		raised.Price = kes(60)
		if err := b.svc.SavePlan(ctx, raised); err != nil {
			t.Fatal(err)
		}
		_, vs, err := b.svc.Vouchers(ctx, batch.ID)
		if err != nil || len(vs) != 30 {
			t.Fatalf("%d vouchers, %v", len(vs), err)
		}
		seen := map[string]bool{}
		for _, v := range vs {
			if !regexp.MustCompile(`^[0-9]{12}$`).MatchString(v.Code) || seen[v.Code] {
				t.Fatalf("code %q", v.Code)
			}
			seen[v.Code] = true
		}
		var plain int
		db.Read().QueryRow(`SELECT count(*) FROM isp_vouchers WHERE code_sealed LIKE '%' || $1 || '%' OR digest = $1`, vs[0].Code).Scan(&plain)
		if plain != 0 {
			t.Fatal("a voucher's code is stored readable")
		}

		// By SMS into alice's account; once only.
		p, err := b.svc.Redeem(ctx, groupCode(vs[0].Code), "alice", "sms:"+alicePhone)
		if err != nil {
			t.Fatal(err)
		}
		if p.Price != kes(50) || p.PaidBy != isp.PaidByVoucher || b.live(t, b.alice).State != isp.Active {
			t.Fatalf("redeemed: %+v", p)
		}
		if _, err := b.svc.Redeem(ctx, vs[0].Code, "bob", "sms:"+bobPhone); !errors.Is(err, isp.ErrUsed) {
			t.Fatalf("used twice: %v", err)
		}
		if _, err := b.svc.Redeem(ctx, "000000000000", "bob", "sms:"+bobPhone); !errors.Is(err, isp.ErrVoucher) {
			t.Fatalf("a made-up code: %v", err)
		}
		if _, err := b.svc.Redeem(ctx, "12345", "bob", "sms:"+bobPhone); !errors.Is(err, isp.ErrVoucher) {
			t.Fatalf("not a code: %v", err)
		}

		// On the captive page: the code is the username, with itself or
		// nothing as the password. The first login makes the account.
		code := vs[1].Code
		if d := b.auth(t, code, pap("wrong"), "EE:01"); d.Verdict != radius.Reject {
			t.Fatalf("voucher with a wrong password: %+v", d)
		}
		d := b.auth(t, groupCode(code), pap(code), "EE:01")
		if d.Verdict != radius.Accept || d.SessionTimeout != 24*time.Hour || d.DataLimit != isp.GB {
			t.Fatalf("first voucher login: %+v", d)
		}
		if d := b.auth(t, code, pap(""), "EE:01"); d.Verdict != radius.Accept || d.SessionTimeout != 24*time.Hour {
			t.Fatalf("second voucher login: %+v", d)
		}
		u, err := b.svc.ByUsername(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if sub := b.live(t, u); sub.State != isp.Active || sub.PlanID != daily.ID {
			t.Fatalf("voucher account: %+v", sub)
		}
		// The voucher used into alice's account logs nobody in.
		if d := b.auth(t, vs[0].Code, pap(vs[0].Code), "EE:02"); d.Verdict != radius.Reject || d.Message != "This voucher has been used" {
			t.Fatalf("login with a voucher used into an account: %+v", d)
		}
		// The day ends: M-Pesa can top the voucher's account up.
		b.clock.Add(24 * time.Hour)
		b.sweep(t)
		if d := b.auth(t, code, pap(code), "EE:01"); d.Verdict != radius.WalledGarden || !strings.Contains(d.Message, "account "+code) {
			t.Fatalf("voucher account after its day: %+v", d)
		}
		b.pay(t, "SKR0001401", code, kes(60))
		if d := b.auth(t, code, pap(code), "EE:01"); d.Verdict != radius.Accept {
			t.Fatalf("voucher account topped up: %+v", d)
		}

		// After the batch's expiry, neither way works.
		b.clock.Set(eat(2025, 7, 1, 0, 0))
		if _, err := b.svc.Redeem(ctx, vs[2].Code, "bob", "care"); !errors.Is(err, isp.ErrExpired) {
			t.Fatalf("expired voucher: %v", err)
		}
		if d := b.auth(t, vs[3].Code, pap(""), "EE:03"); d.Verdict != radius.Reject || !strings.Contains(d.Message, "expired") {
			t.Fatalf("expired voucher login: %+v", d)
		}

		bal, _ := ledger.Balances(ctx, db.Read())
		if bal[ledger.ISPVouchers] != kes(100) {
			t.Fatalf("voucher sales %s; want the face value of the two used", bal[ledger.ISPVouchers])
		}
		b.checkBooks(t)

		// The printable sheet: every code, grouped, on A4 cards.
		sheet, err := b.svc.VoucherSheet(ctx, batch.ID, "22555", "staff:admin")
		if err != nil {
			t.Fatal(err)
		}
		html := string(sheet)
		for _, want := range []string{"@page{size:A4", "break-inside:avoid", "Mteja Net", "Daily 1 GB · KES 50.00", "30/06/2025", "SMS VOUCHER and the code to 22555",
			groupCode(vs[29].Code), `class="card used"`} {
			if !strings.Contains(html, want) {
				t.Errorf("sheet lacks %q", want)
			}
		}
		if n := strings.Count(html, `<div class="code">`); n != 30 {
			t.Errorf("sheet has %d codes", n)
		}
		if strings.Contains(html, "<script") {
			t.Error("sheet has a script")
		}
		var prints int
		db.Read().QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'isp.vouchers.print' AND subject = $1`, batch.ID).Scan(&prints)
		if prints != 1 {
			t.Fatalf("%d print audit events", prints)
		}
	})
}

func groupCode(c string) string { return c[:4] + " " + c[4:8] + " " + c[8:] }

// Codes guessed at a hotspot's login page: after ten codes that were no
// voucher, that device's voucher logins are refused for the hour, a real
// code's too; other devices go on; the router as a whole is limited to
// 300 misses an hour; logins of existing accounts are never limited.
func TestVoucherGuessesLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		batch, err := b.svc.NewVouchers(ctx, daily.ID, 3, b.clock.Now().AddDate(0, 1, 0), "", "staff:admin")
		if err != nil {
			t.Fatal(err)
		}
		_, vs, err := b.svc.Vouchers(ctx, batch.ID)
		if err != nil {
			t.Fatal(err)
		}
		guess := func(i int, mac string) radius.AuthDecision {
			code := fmt.Sprintf("9%011d", i)
			return b.auth(t, code, pap(code), mac)
		}
		for i := range 10 {
			if d := guess(i, "EE:09"); d.Verdict != radius.Reject || d.Message != "Wrong username or password" {
				t.Fatalf("guess %d: %+v", i, d)
			}
		}
		if d := b.auth(t, vs[0].Code, pap(vs[0].Code), "EE:09"); d.Verdict != radius.Reject || !strings.Contains(d.Message, "Too many voucher codes") {
			t.Fatalf("a real code after ten misses from the device: %+v", d)
		}
		if d := b.auth(t, vs[0].Code, pap(vs[0].Code), "EE:10"); d.Verdict != radius.Accept {
			t.Fatalf("a real code from another device: %+v", d)
		}
		// The router: 300 misses from ever-new devices (a guesser changing
		// its MAC) close voucher logins there, not account logins.
		for i := range 290 {
			guess(100+i, fmt.Sprintf("EF:%04d", i))
		}
		if d := b.auth(t, vs[1].Code, pap(vs[1].Code), "EE:11"); d.Verdict != radius.Reject || !strings.Contains(d.Message, "Too many voucher codes") {
			t.Fatalf("a real code after 300 misses at the router: %+v", d)
		}
		if d := b.auth(t, vs[0].Code, pap(vs[0].Code), "EE:10"); d.Verdict != radius.Accept {
			t.Fatalf("the redeemed voucher's account, logging in again: %+v", d)
		}
		// An hour later, the counts start again.
		b.clock.Add(time.Hour)
		if d := b.auth(t, vs[1].Code, pap(vs[1].Code), "EE:09"); d.Verdict != radius.Accept {
			t.Fatalf("an hour later: %+v", d)
		}
	})
}
