package notify

import (
	"context"
	"sync"
)

// Overload policy: who yields to whom when vends outrun delivery.
//
// A token is worth little to a customer until its SMS arrives, so under a
// flood of payments the token lane's writes go before the next vend batch:
//
//   - On SQLite there is one writer. A vend batch holds it for the whole
//     batch (hundreds of vends), and the delivery worker needs it twice a
//     batch of messages: to claim them and to record what became of them.
//     Left to chance, the vend worker takes the writer back after each of
//     its commits and the token queue grows without bound (measured on a
//     busy two-core machine: a p99 of 5.5 s from callback to SMS in a run
//     of 15,000 payments, while the tokens were stored within 0.4 s).
//     So the vend worker yields between its commits (Worker.TokenTurn):
//     it waits while the priority claim loop owes a claim for messages
//     just queued, or has a claim or a record waiting for or holding the
//     writer. A token message queued by vend commit k is therefore claimed
//     before vend batch k+1 is claimed, whatever the flood (on SQLite; on
//     PostgreSQL, with a vend loop per connection, before any loop's next
//     batch), as long as no more than MaxBatch were queued.
//   - The priority claim takes at least what was queued since the last
//     one, and grows while it finds full batches that go out whole (up to
//     MaxBatch), so one turn carries the messages of every vend batch
//     committed since the last, and a backlog drains; it shrinks back once
//     the queue is short.
//   - The turn is for the writer, not for the SMSC: the vend worker never
//     waits for a send. When no route can take messages (an outage, a
//     circuit open) there is nothing to claim, the turn is given back at
//     once, and vends go on at full speed; tokens stay in the database for
//     USSD, the portal and care, and the SMS follow when a route returns.
//   - Payment intake yields to nothing: acknowledging M-Pesa's callback
//     is what keeps a payment from being lost. Bulk messages yield to
//     everything (their own loops take no turn).
//   - On PostgreSQL writers run side by side, on separate connections, and
//     the token lane's claim skips rows other nodes hold; the same turn
//     still orders the vend worker after the delivery worker on each node,
//     which keeps the token lane's share of connections and CPU there too.

// writerTurn is the state TokenTurn waits on.
type writerTurn struct {
	mu      sync.Mutex
	running bool // the priority claim loop runs (Run): otherwise no one would take the turn
	// queued counts the calls of TokensQueued; paid is the count that the
	// last claim to take every due message had seen before it began. A
	// commit whose call is not yet paid has messages no claim has looked
	// for: TokenTurn waits.
	queued, paid uint64
	owed         int // messages queued and not yet claimed, at least: the next claim's size
	pending      int // priority-lane claims and records waiting for or holding the writer
	changed      chan struct{}
}

func (t *writerTurn) update(fn func(t *writerTurn)) {
	t.mu.Lock()
	fn(t)
	if t.changed != nil {
		close(t.changed)
		t.changed = nil
	}
	t.mu.Unlock()
}

// wait returns once the priority lane holds no turn, or ctx ends.
func (t *writerTurn) wait(ctx context.Context) {
	for {
		t.mu.Lock()
		if !t.running || (t.paid >= t.queued && t.pending == 0) {
			t.mu.Unlock()
			return
		}
		if t.changed == nil {
			t.changed = make(chan struct{})
		}
		ch := t.changed
		t.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-ch:
		}
	}
}

// TokensQueued tells the worker that at least n token messages were just
// committed: the priority claim loop owes a claim (TokenTurn waits for
// it) of at least that many, and it is woken to make it.
func (w *Worker) TokensQueued(n int) {
	w.init()
	w.turn.update(func(t *writerTurn) {
		t.queued++
		t.owed += max(n, 1)
	})
	w.Wake()
}

// owedClaim is how many messages the next priority claim owes.
func (w *Worker) owedClaim() int {
	w.turn.mu.Lock()
	defer w.turn.mu.Unlock()
	return w.turn.owed
}

// TokenTurn waits while the token lane has a turn at the writer: a claim
// owed since TokensQueued, or a priority-lane claim or record waiting for
// the writer or holding it. It returns at once when Run is not running.
// The vend worker calls it between batches (see the overload policy
// above).
func (w *Worker) TokenTurn(ctx context.Context) {
	w.init()
	w.turn.wait(ctx)
}

// priorityWrite marks a priority-lane write waiting for or holding the
// writer until done is called.
func (w *Worker) priorityWrite() (done func()) {
	w.turn.update(func(t *writerTurn) { t.pending++ })
	return func() { w.turn.update(func(t *writerTurn) { t.pending-- }) }
}

// claimStarts returns the count of TokensQueued calls a priority claim
// about to begin will see the messages of.
func (w *Worker) claimStarts() uint64 {
	w.turn.mu.Lock()
	defer w.turn.mu.Unlock()
	return w.turn.queued
}

// claimLooked records that a priority claim of up to n messages, begun
// when seen calls of TokensQueued had been made, took got. A claim that
// took less than it asked for took every message due then, and pays
// those calls; a full one pays none, and the rest stays owed to the next
// claim. When no claim can be made (no route open, the database failing),
// n is 0 and everything is paid: the vend worker must not wait for what
// delivery cannot do now.
func (w *Worker) claimLooked(n, got int, seen uint64) {
	w.turn.update(func(t *writerTurn) {
		switch {
		case n == 0:
			t.paid, t.owed = t.queued, 0
		case got < n:
			t.paid = max(t.paid, seen)
			if t.paid >= t.queued {
				t.owed = 0
			}
		default:
			t.owed = max(t.owed-got, 0)
		}
	})
}

func (w *Worker) priorityLoop(running bool) {
	w.turn.update(func(t *writerTurn) {
		t.running = running
		if !running {
			t.paid, t.owed = t.queued, 0
		}
	})
}
