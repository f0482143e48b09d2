package isp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// VOUCHER by SMS: for the phone's own account, or any account named (a
// gift); a phone may try ten vouchers an hour, found or not.
func TestRedeemBySMS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		batch, err := b.svc.NewVouchers(ctx, daily.ID, 3, eat(2025, 6, 1, 0, 0), "", "staff:admin")
		if err != nil {
			t.Fatal(err)
		}
		_, vs, _ := b.svc.Vouchers(ctx, batch.ID)
		split := func(s string) []string { return strings.Fields(strings.ToUpper(s)) }
		for _, c := range []struct {
			from, lang, text, want string
		}{
			{alicePhone, "en", groupCode(vs[0].Code), "Voucher accepted for alice."},
			{alicePhone, "sw", vs[0].Code, "Vocha hiyo imeshatumika."},
			{alicePhone, "en", "1234", "Send VOUCHER and the 12-digit code"},
			{alicePhone, "en", "0000 0000 0000", "That is not a valid voucher code."},
			{"254799000000", "en", vs[1].Code, "No internet account is registered to this phone"},
			{"254799000000", "en", vs[1].Code + " bob", "Voucher accepted for bob."},
			{"254799000000", "sw", vs[2].Code + " nobody", "Hakuna akaunti nobody."},
		} {
			got, err := b.svc.RedeemText(ctx, c.from, c.lang, split(c.text))
			if err != nil || !strings.Contains(got, c.want) {
				t.Errorf("VOUCHER %s from %s: %q, %v; want %q", c.text, c.from, got, err, c.want)
			}
		}
		if b.live(t, b.bob).State != isp.Active || b.live(t, b.alice).State != isp.Active {
			t.Fatal("a voucher did not activate its account")
		}
		// Ten tries an hour from one phone (two counted above), then no more.
		for range 8 {
			b.svc.RedeemText(ctx, "254799000000", "en", split("0000 0000 0001 bob"))
		}
		if got, _ := b.svc.RedeemText(ctx, "254799000000", "en", split(vs[2].Code+" bob")); !strings.Contains(got, "Too many vouchers tried") {
			t.Fatalf("the eleventh try: %q", got)
		}
		b.checkBooks(t)
	})
}
