package notify

import (
	"context"
	"runtime"
	"testing"
)

// A freed slot goes to the most urgent waiter, and bulk never holds more
// than its share, so a token waits behind at most bulkCap bulk sends.
func TestGateServesUrgentFirst(t *testing.T) {
	ctx := context.Background()
	bulk, token := Priority(LaneBulk), Priority(LaneToken)
	g := newGate(3, 2)
	for range 2 {
		if err := g.acquire(ctx, bulk); err != nil {
			t.Fatal(err)
		}
	}
	// Bulk is at its cap: a third bulk send waits though a slot is free.
	third := make(chan struct{})
	go func() {
		g.acquire(ctx, bulk)
		close(third)
	}()
	// The free slot goes to an OTP at once.
	if err := g.acquire(ctx, Priority(LaneOTP)); err != nil {
		t.Fatal(err)
	}
	// Now full: a token queues, and must get the next slot before the
	// waiting bulk send, though the bulk send came first.
	tok := make(chan struct{})
	go func() {
		g.acquire(ctx, token)
		close(tok)
	}()
	waitQueued(t, g, token)
	g.release(bulk)
	<-tok
	select {
	case <-third:
		t.Fatal("bulk send got a slot before the token")
	default:
	}
	g.release(token)
	<-third
	if g.used != 3 || g.bulkUsed != 2 {
		t.Fatalf("used %d, bulk %d; want 3 and 2", g.used, g.bulkUsed)
	}
}

func TestGateCancelledWaiterLeavesQueue(t *testing.T) {
	g := newGate(1, 1)
	if err := g.acquire(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- g.acquire(ctx, 0) }()
	waitQueued(t, g, 0)
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("cancelled acquire succeeded")
	}
	g.release(0)
	if g.used != 0 || len(g.waiting[0]) != 0 {
		t.Fatalf("after cancel and release: used %d, waiting %d", g.used, len(g.waiting[0]))
	}
}

func waitQueued(t *testing.T, g *gate, prio int) {
	t.Helper()
	for {
		g.mu.Lock()
		n := len(g.waiting[prio])
		g.mu.Unlock()
		if n > 0 {
			return
		}
		// A goroutine about to block: yield until it has.
		select {
		case <-t.Context().Done():
			t.Fatal("test ended")
		default:
		}
		runtime.Gosched()
	}
}
