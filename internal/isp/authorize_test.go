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

// Authorize for each case a router meets: balance, expiry, data and the
// devices online are checked at every request; who has no service gets
// the walled garden with where to pay; a wrong password, a stranger and
// one device too many are rejected.
func TestAuthorize(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		challenge := []byte("0123456789abcdef")
		type want struct {
			verdict radius.Verdict
			message string
		}
		check := func(name string, d radius.AuthDecision, w want) {
			t.Helper()
			if d.Verdict != w.verdict || !strings.Contains(d.Message, w.message) {
				t.Errorf("%s: verdict %d %q, want %d %q", name, d.Verdict, d.Message, w.verdict, w.message)
			}
			if d.Verdict == radius.WalledGarden && d.AddressList != "mteja-pay-now" {
				t.Errorf("%s: walled garden in address list %q", name, d.AddressList)
			}
		}
		garden := func(why string) want {
			return want{radius.WalledGarden, why + " Pay KES 50.00 to Paybill 600100, account alice."}
		}
		rejected := want{radius.Reject, "Wrong username or password"}

		check("not paid yet", b.auth(t, "alice", pap(password), "AA:01"), garden("Your plan is not paid yet."))
		check("wrong password", b.auth(t, "alice", pap("guess"), "AA:01"), rejected)
		check("unknown user", b.auth(t, "mallory", pap(password), "AA:01"), rejected)
		check("not UTF-8", b.auth(t, "alice\xff", pap(password), "AA:01"), rejected)
		check("a MAC that is not UTF-8", b.auth(t, "alice", pap(password), "AA:\xfe"), garden("Your plan is not paid yet."))
		check("too long", b.auth(t, strings.Repeat("a", 253), pap(password), "AA:01"), rejected)
		check("no password at all", b.auth(t, "alice", nil, "AA:01"), rejected)
		check("CHAP, wrong password", b.auth(t, "alice", chap(7, "guess", challenge), "AA:01"), rejected)

		b.pay(t, "SKR0000701", "alice", kes(50))
		d := b.auth(t, "Alice", chap(7, password, challenge), "AA:01") // usernames are not case-sensitive
		check("active, by CHAP", d, want{radius.Accept, ""})
		if d.RateLimit != "2M/5M 4M/10M 1500k/4M 10/10" || d.SessionTimeout != 24*time.Hour || d.DataLimit != isp.GB ||
			d.InterimInterval != 5*time.Minute || !d.EndsAt.Equal(eat(2025, 5, 16, 10, 0)) || d.FramedPool != "" {
			t.Errorf("accept: %+v", d)
		}

		// One device at a time: a second is refused, the same one may
		// log in again (after a reboot, without a Stop).
		b.acct(t, radius.AcctStart, "alice", "s1", 0, 0)
		check("a second device", b.auth(t, "alice", pap(password), "AA:02"), want{radius.Reject, "Already online on 1 device(s)"})
		check("the same device again", b.auth(t, "alice", pap(password), "AA:BB:CC:00:00:01"), want{radius.Accept, ""})

		// Data used up, before billing has moved the subscription: still
		// the walled garden.
		db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(`UPDATE isp_subscriptions SET data_used = data_limit WHERE subscriber_id = $1`, b.alice.ID)
			return err
		})
		check("data used up", b.auth(t, "alice", pap(password), "AA:BB:CC:00:00:01"), garden("Your data is used up."))
		db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(`UPDATE isp_subscriptions SET data_used = 0 WHERE subscriber_id = $1`, b.alice.ID)
			return err
		})
		// Expired, before the sweep has run.
		b.clock.Set(eat(2025, 5, 16, 10, 0))
		check("expired", b.auth(t, "alice", pap(password), "AA:BB:CC:00:00:01"), garden("Your plan has ended."))
		b.sweep(t)
		check("suspended", b.auth(t, "alice", pap(password), "AA:BB:CC:00:00:01"), garden("Your service is suspended."))

		// A monthly PPPoE line, paid on 16 May: its pool, no data limit,
		// and three days' grace after 16 June.
		b.pay(t, "SKR0000702", "bob", kes(2000))
		d = b.auth(t, "bob", pap(password), "BB:01")
		check("pppoe", d, want{radius.Accept, ""})
		if d.FramedPool != "home" || d.DataLimit != 0 || d.RateLimit != "10M/10M" {
			t.Errorf("pppoe accept: %+v", d)
		}
		b.clock.Set(eat(2025, 6, 16, 10, 0))
		d = b.auth(t, "bob", pap(password), "BB:01")
		check("in grace, before the sweep", d, want{radius.Accept, ""})
		if d.SessionTimeout != 3*24*time.Hour {
			t.Errorf("grace session timeout %v; want to the grace's end", d.SessionTimeout)
		}
		b.sweep(t)
		check("in grace", b.auth(t, "bob", pap(password), "BB:01"), want{radius.Accept, ""})
		b.clock.Set(eat(2025, 6, 19, 10, 0))
		check("after grace", b.auth(t, "bob", pap(password), "BB:01"), want{radius.WalledGarden, "Pay KES 2,000.00"})

		// A subscriber with no plan at all.
		b.subscriber(t, "dave", "")
		check("no plan", b.auth(t, "dave", pap(password), "DD:01"), want{radius.WalledGarden, "You have no plan yet. Pay to Paybill 600100, account dave."})
	})
}
