package isp_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func (b *bundle) claim(t testing.TB, n int) []radius.QueuedChange {
	t.Helper()
	cs, err := b.svc.ClaimChanges(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func (b *bundle) changeState(t testing.TB, id string) (state string, attempts int, last string) {
	t.Helper()
	if err := b.db.Read().QueryRow(`SELECT state, attempts, last_result FROM isp_changes WHERE id = $1`, id).Scan(&state, &attempts, &last); err != nil {
		t.Fatal(err)
	}
	return state, attempts, last
}

// record records an attempt as the RADIUS server does.
func (b *bundle) record(t testing.TB, id string, r radius.ChangeResult) {
	t.Helper()
	if err := b.svc.RecordChange(context.Background(), id, r); err != nil {
		t.Fatal(err)
	}
}

var (
	ack     = radius.ChangeResult{Attempt: 1, Outcome: radius.ChangeACK, Final: true}
	timeout = radius.ChangeResult{Attempt: 4, Outcome: radius.ChangeTimeout, Final: true}
)

// The queue of CoA and Disconnect requests: an expiry queues a Disconnect
// for each open session; the server claims it (with the router and its
// secret), records every attempt, and what came of the last decides
// whether it is sent again.
func TestChangesQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
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
		if !c.Disconnect || c.Username != "alice" || c.SessionID != "c1" || c.FramedIP.String() != "10.5.50.7" ||
			c.NAS.ID != b.nas.ID || string(c.NAS.Secret) != "a shared secret of 24 ch" || c.NAS.CoAPort != 3799 {
			t.Fatalf("claimed %+v", c)
		}
		if len(b.claim(t, 10)) != 0 {
			t.Fatal("a claimed change was claimed again")
		}
		// The server retransmits: each attempt recorded keeps it claimed,
		// past the claim's first 30 seconds.
		b.clock.Add(20 * time.Second)
		b.record(t, c.ID, radius.ChangeResult{Attempt: 2, Outcome: radius.ChangeTimeout})
		b.clock.Add(20 * time.Second)
		if len(b.claim(t, 10)) != 0 {
			t.Fatal("a change being sent was claimed by another")
		}
		if st, n, last := b.changeState(t, c.ID); st != isp.ChangePending || n != 1 || last != "attempt 2: timeout" {
			t.Fatalf("while sending: %s, %d claims, %q", st, n, last)
		}
		// No answer at all: sent again later, not at once.
		b.record(t, c.ID, timeout)
		if len(b.claim(t, 10)) != 0 {
			t.Fatal("a change nobody answered was sent again at once")
		}
		b.clock.Add(time.Minute)
		if cs = b.claim(t, 10); len(cs) != 1 {
			t.Fatalf("the retry: %+v", cs)
		}
		if _, n, _ := b.changeState(t, c.ID); n != 2 {
			t.Fatalf("claimed %d times", n)
		}
		// The router acknowledges, but the session goes on: sent again.
		b.record(t, c.ID, ack)
		if st, _, _ := b.changeState(t, c.ID); st != isp.ChangeAcked {
			t.Fatalf("after the ACK: %s", st)
		}
		b.clock.Add(3 * time.Minute)
		b.acct(t, radius.AcctInterim, "alice", "c1", 0, 2*isp.MB)
		b.sweep(t)
		if st, _, _ := b.changeState(t, c.ID); st != isp.ChangePending {
			t.Fatalf("acknowledged, session still open: %s", st)
		}
		if cs = b.claim(t, 10); len(cs) != 1 {
			t.Fatalf("claimed %d", len(cs))
		}
		b.record(t, c.ID, ack)
		// This time the Stop comes: done.
		b.acct(t, radius.AcctStop, "alice", "c1", 0, 2*isp.MB)
		b.clock.Add(3 * time.Minute)
		b.sweep(t)
		if st, _, _ := b.changeState(t, c.ID); st != isp.ChangeDone {
			t.Fatalf("acknowledged and stopped: %s", st)
		}
		// A late answer changes nothing.
		b.record(t, c.ID, timeout)
		if st, _, _ := b.changeState(t, c.ID); st != isp.ChangeDone {
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
		b.record(t, cs[0].ID, radius.ChangeResult{Attempt: 1, Outcome: radius.ChangeNAK, ErrorCause: radius.ErrorCauseSessionContextNotFound, Final: true})
		if st, _, _ := b.changeState(t, cs[0].ID); st != isp.ChangeDone {
			t.Fatalf("after NAK 503: %s", st)
		}

		// A change of plan changes the speed of the open sessions.
		if err := b.svc.ChangePlan(context.Background(), b.live(t, b.alice).ID, hour.ID, "staff:care", "goodwill"); err != nil {
			t.Fatal(err)
		}
		cs = b.claim(t, 10)
		if len(cs) != 1 || cs[0].Disconnect || cs[0].RateLimit != "1M/1M" || cs[0].SessionID != "c2" {
			t.Fatalf("after a change of plan: %+v", cs)
		}
		// A router that never answers: given up after MaxChangeAttempts.
		for i := 2; i <= isp.MaxChangeAttempts; i++ {
			b.record(t, cs[0].ID, timeout)
			b.clock.Add(time.Hour)
			if cs = b.claim(t, 10); len(cs) != 1 {
				t.Fatalf("attempt %d: %+v", i, cs)
			}
		}
		b.record(t, cs[0].ID, timeout)
		if st, n, _ := b.changeState(t, cs[0].ID); st != isp.ChangeFailed || n != isp.MaxChangeAttempts {
			t.Fatalf("after %d attempts: %s", n, st)
		}
		counts, err := b.svc.Changes(context.Background())
		if err != nil || counts[isp.ChangeDone] != 2 || counts[isp.ChangeFailed] != 1 {
			t.Fatalf("counts %v, %v", counts, err)
		}
	})
}

// What the router answers decides: a refused request is given up at once;
// one it has no resources for, or could not be sent, is tried again or
// given up as the server says.
func TestChangeOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.pay(t, "SKR0001801", "bob", kes(2000))
		for i, c := range []struct {
			result radius.ChangeResult
			state  string
		}{
			{radius.ChangeResult{Attempt: 1, Outcome: radius.ChangeNAK, ErrorCause: radius.ErrorCauseInvalidRequest, Final: true}, isp.ChangeFailed},
			{radius.ChangeResult{Attempt: 1, Outcome: radius.ChangeNAK, ErrorCause: radius.ErrorCauseResourcesUnavailable, Final: true}, isp.ChangePending},
			{radius.ChangeResult{Attempt: 1, Outcome: radius.ChangeError, Err: "no secret", Final: true}, isp.ChangeFailed},
			{radius.ChangeResult{Attempt: 1, Outcome: radius.ChangeACK, Final: true}, isp.ChangeDone}, // a CoA
		} {
			// One session open at a time, each with a CoA of its own.
			b.clock.Add(time.Hour)
			if i > 0 {
				b.acct(t, radius.AcctStop, "bob", fmt.Sprint("o", i-1), 0, 0)
			}
			b.acct(t, radius.AcctStart, "bob", fmt.Sprint("o", i), 0, 0)
			if err := b.svc.ChangePlan(context.Background(), b.live(t, b.bob).ID, pickOther(b.live(t, b.bob).PlanID), "staff:care", "test"); err != nil {
				t.Fatal(err)
			}
			cs := b.claim(t, 10)
			if len(cs) != 1 || cs[0].SessionID != fmt.Sprint("o", i) {
				t.Fatalf("claimed %+v", cs)
			}
			b.record(t, cs[0].ID, c.result)
			if st, _, _ := b.changeState(t, cs[0].ID); st != c.state {
				t.Errorf("%+v: %s, want %s", c.result, st, c.state)
			}
		}
	})
}

func pickOther(plan string) string {
	if plan == home.ID {
		return hour.ID
	}
	return home.ID
}
