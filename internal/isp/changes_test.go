package isp_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func (b *bundle) claim(t testing.TB, n int) []isp.ClaimedChange {
	t.Helper()
	cs, err := b.svc.ClaimChanges(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func (b *bundle) changeState(t testing.TB, id string) (state string, attempts int) {
	t.Helper()
	if err := b.db.Read().QueryRow(`SELECT state, attempts FROM isp_changes WHERE id = $1`, id).Scan(&state, &attempts); err != nil {
		t.Fatal(err)
	}
	return state, attempts
}

// The queue of CoA and Disconnect requests: an expiry queues a Disconnect
// for each open session; the server claims it (with the router and its
// secret), and what came back decides whether it is sent again.
func TestChangesQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.pay(t, "SKR0001301", "alice", kes(50))
		b.acct(t, radius.AcctStart, "alice", "c1", 0, 0)
		if cs := b.claim(t, 10); len(cs) != 0 {
			t.Fatalf("claimed %d changes before any", len(cs))
		}
		// The day ends: the session is to be disconnected.
		b.clock.Set(eat(2025, 5, 16, 10, 0))
		b.acct(t, radius.AcctInterim, "alice", "c1", 0, isp.MB)
		b.sweep(t)
		cs := b.claim(t, 10)
		if len(cs) != 1 {
			t.Fatalf("claimed %d changes; want 1", len(cs))
		}
		c := cs[0]
		if !c.Disconnect || c.Username != "alice" || c.SessionID != "c1" || c.FramedIP.String() != "10.5.50.7" || c.Attempt != 1 ||
			c.NAS.ID != b.nas.ID || string(c.NAS.Secret) != "a shared secret of 24 ch" || c.NAS.CoAPort != 3799 {
			t.Fatalf("claimed %+v", c)
		}
		if len(b.claim(t, 10)) != 0 {
			t.Fatal("a claimed change was claimed again")
		}
		// No answer: sent again later, not at once.
		if err := b.svc.RecordChange(ctx, c.ID, isp.ChangeResult{Err: errors.New("timeout")}); err != nil {
			t.Fatal(err)
		}
		if len(b.claim(t, 10)) != 0 {
			t.Fatal("a failed change was sent again at once")
		}
		b.clock.Add(time.Minute)
		cs = b.claim(t, 10)
		if len(cs) != 1 || cs[0].Attempt != 2 {
			t.Fatalf("the retry: %+v", cs)
		}
		// The router acknowledges, but the session goes on: sent again.
		if err := b.svc.RecordChange(ctx, c.ID, isp.ChangeResult{ACK: true}); err != nil {
			t.Fatal(err)
		}
		if st, _ := b.changeState(t, c.ID); st != isp.ChangeAcked {
			t.Fatalf("after the ACK: %s", st)
		}
		b.clock.Add(3 * time.Minute)
		b.acct(t, radius.AcctInterim, "alice", "c1", 0, 2*isp.MB)
		b.sweep(t)
		if st, _ := b.changeState(t, c.ID); st != isp.ChangePending {
			t.Fatalf("acknowledged, session still open: %s", st)
		}
		cs = b.claim(t, 10)
		if len(cs) != 1 {
			t.Fatalf("claimed %d", len(cs))
		}
		b.svc.RecordChange(ctx, c.ID, isp.ChangeResult{ACK: true})
		// This time the Stop comes: done.
		b.acct(t, radius.AcctStop, "alice", "c1", 0, 2*isp.MB)
		b.clock.Add(3 * time.Minute)
		b.sweep(t)
		if st, _ := b.changeState(t, c.ID); st != isp.ChangeDone {
			t.Fatalf("acknowledged and stopped: %s", st)
		}
		// A late answer changes nothing.
		if err := b.svc.RecordChange(ctx, c.ID, isp.ChangeResult{Err: errors.New("late")}); err != nil {
			t.Fatal(err)
		}
		if st, _ := b.changeState(t, c.ID); st != isp.ChangeDone {
			t.Fatalf("after a late answer: %s", st)
		}

		// Paid, out of the walled garden: the session in it is
		// disconnected, to log in again with the plan.
		b.acct(t, radius.AcctStart, "alice", "c2", 0, 0)
		b.pay(t, "SKR0001302", "alice", kes(50))
		cs = b.claim(t, 10)
		if len(cs) != 1 || cs[0].SessionID != "c2" || !cs[0].Disconnect {
			t.Fatalf("after paying: %+v", cs)
		}
		// A router that no longer has the session: done.
		b.svc.RecordChange(ctx, cs[0].ID, isp.ChangeResult{ErrorCause: isp.SessionNotFound})
		if st, _ := b.changeState(t, cs[0].ID); st != isp.ChangeDone {
			t.Fatalf("after NAK 503: %s", st)
		}

		// A change of plan changes the speed of the open sessions.
		if err := b.svc.ChangePlan(ctx, b.live(t, b.alice).ID, hour.ID, "staff:care", "goodwill"); err != nil {
			t.Fatal(err)
		}
		cs = b.claim(t, 10)
		if len(cs) != 1 || cs[0].Disconnect || cs[0].RateLimit != "1M/1M" || cs[0].SessionID != "c2" {
			t.Fatalf("after a change of plan: %+v", cs)
		}
		// A router that never answers: given up after MaxChangeAttempts.
		for i := 2; i <= isp.MaxChangeAttempts; i++ {
			b.svc.RecordChange(ctx, cs[0].ID, isp.ChangeResult{Err: errors.New("timeout")})
			b.clock.Add(time.Hour)
			if cs = b.claim(t, 10); len(cs) != 1 || cs[0].Attempt != i {
				t.Fatalf("attempt %d: %+v", i, cs)
			}
		}
		b.svc.RecordChange(ctx, cs[0].ID, isp.ChangeResult{ErrorCause: 404})
		if st, n := b.changeState(t, cs[0].ID); st != isp.ChangeFailed || n != isp.MaxChangeAttempts {
			t.Fatalf("after %d attempts: %s", n, st)
		}
		counts, err := b.svc.Changes(ctx)
		if err != nil || counts[isp.ChangeDone] != 2 || counts[isp.ChangeFailed] != 1 {
			t.Fatalf("counts %v, %v", counts, err)
		}
	})
}
