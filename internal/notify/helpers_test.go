package notify_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// clock is a settable clock for the database and the watchdog.
type clock = storetest.Clock

func newClock(db *store.DB) *clock {
	return storetest.SetClock(db, time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
}

func enqueue(t testing.TB, db *store.DB, msgs ...notify.Message) []notify.Message {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error { return notify.Enqueue(tx, msgs...) })
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func token(to, ref string) notify.Message {
	return notify.Message{Recipient: to, Lane: notify.LaneToken, Template: "token", Body: "Token:1234-5678-9012-3456-7890 " + ref, Ref: ref}
}

func get(t testing.TB, db *store.DB, ref string) notify.Message {
	t.Helper()
	msgs, err := notify.ByRef(context.Background(), db, ref)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("messages of %s: %v %v", ref, msgs, err)
	}
	return msgs[0]
}

// drain runs the worker until a round handles nothing.
func drain(t testing.TB, w *notify.Worker) {
	t.Helper()
	for range 1000 {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("worker never ran dry")
}

// counting is a route that fails while broken and counts its calls.
type counting struct {
	mu     sync.Mutex
	calls  int
	broken bool
	sink   notify.Sink
}

func (c *counting) Send(ctx context.Context, m sms.Message) (sms.SubmitResult, error) {
	c.mu.Lock()
	c.calls++
	broken := c.broken
	c.mu.Unlock()
	if broken {
		return sms.SubmitResult{}, fmt.Errorf("counting: %w", sms.ErrTemporary)
	}
	return c.sink.Send(ctx, m)
}

func (c *counting) set(broken bool) {
	c.mu.Lock()
	c.broken = broken
	c.mu.Unlock()
}

func (c *counting) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// eventually polls cond until it holds or the test's patience runs out.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var errNope = errors.New("nope")
