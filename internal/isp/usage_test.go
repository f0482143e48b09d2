package isp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// What is left of a subscriber's data and time, as of the last packet,
// and the USAGE keyword's answer to their own phones only.
func TestUsage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.pay(t, "SKR0001501", "alice", kes(70))
		b.acct(t, radius.AcctStart, "alice", "u1", 0, 0)
		b.clock.Add(6 * time.Hour)
		b.acct(t, radius.AcctInterim, "alice", "u1", 50*isp.MB, 200*isp.MB)
		u, err := b.svc.UsageOf(ctx, b.alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Plan != "Daily 1 GB" || u.DataUsed != 250*isp.MB || u.DataLeft != 750*isp.MB || u.TimeLeft != 18*time.Hour || u.Online != 1 || u.Wallet != kes(20) || u.Unlimited {
			t.Fatalf("usage %+v", u)
		}
		for _, c := range []struct {
			from, lang string
			args       []string
			want       string
		}{
			{alicePhone, "en", nil, "alice: Daily 1 GB. Data left: 750 MB of 1.00 GB. Until 16/05/2025 10:00. Wallet: KES 20.00."},
			{alicePhone, "sw", []string{"ALICE"}, "alice: Daily 1 GB. Data iliyobaki: 750 MB kati ya 1.00 GB. Hadi 16/05/2025 10:00. Pochi: KES 20.00."},
			{alicePhone, "en", []string{"bob"}, "The usage of bob is sent only to its registered phones."},
			{bobPhone, "en", nil, "bob: Home 10 Mbps. Data: unlimited. No service until paid. Wallet: KES 0.00."},
			{"254799000000", "sw", nil, "Hakuna akaunti ya intaneti iliyosajiliwa kwa simu hii."},
		} {
			got, err := b.svc.UsageText(ctx, c.from, c.lang, c.args)
			if err != nil || got != c.want {
				t.Errorf("USAGE %v from %s: %q, %v; want %q", c.args, c.from, got, err, c.want)
			}
		}
		if strings.Contains(isp.Bytes(1500*isp.MB), "1500") || isp.Bytes(1500*isp.MB) != "1.50 GB" {
			t.Errorf("Bytes: %s", isp.Bytes(1500*isp.MB))
		}
	})
}
