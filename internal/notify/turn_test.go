package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// TokenTurn, the vend worker's yield: it returns at once when no claim
// loop runs; with one running, it returns only after a claim has taken the
// messages queued before TokensQueued (none of them is left waiting
// unclaimed), even when more were queued than a claim's Batch; and when
// the only route is down it still returns, the messages left queued for
// later: the vend worker never waits for delivery itself.
func TestTokenTurn(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		sink := &notify.Sink{Keep: 1}
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "sink", Sender: sink}}, Batch: 10, Poll: time.Hour}

		// No loop runs: nothing to wait for.
		w.TokensQueued(5)
		w.TokenTurn(ctx)

		run, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { w.Run(run); close(done) }()
		defer func() { stop(); <-done }()
		// The turn is taken only once the priority loop runs; a probe it
		// has sent shows that it does (on a busy machine the goroutine may
		// start after the first round's turn would otherwise be asked).
		enqueue(t, db, token("254700000998", "turn-probe"))
		w.Wake()
		eventually(t, "the priority loop sends a first message", func() bool { return get(t, db, "turn-probe").State == notify.StateSubmitted })

		unclaimed := func() int {
			var n int
			err := db.Read().QueryRow(`SELECT count(*) FROM messages WHERE state = 'queued' AND lane = 'token' AND claimed_until < $1`, store.Micros(db.Now())).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		for round := range 3 {
			var msgs []notify.Message
			for i := range 35 { // more than three claims of Batch
				msgs = append(msgs, token(fmt.Sprintf("2547%08d", round*100+i), fmt.Sprintf("turn-%d-%d", round, i)))
			}
			enqueue(t, db, msgs...)
			w.TokensQueued(len(msgs))
			w.TokenTurn(ctx)
			if ctx.Err() != nil {
				t.Fatal("TokenTurn never returned")
			}
			if n := unclaimed(); n != 0 {
				t.Errorf("round %d: %d token messages unclaimed after the turn", round, n)
			}
		}

		sink.SetDown(true)
		enqueue(t, db, token("254700000999", "turn-down"))
		w.TokensQueued(1)
		w.TokenTurn(ctx)
		if ctx.Err() != nil {
			t.Fatal("TokenTurn waited for a route that is down")
		}
		if m := get(t, db, "turn-down"); m.State != notify.StateQueued {
			t.Errorf("message to a down route: %s, want queued for later", m.State)
		}
	})
}
