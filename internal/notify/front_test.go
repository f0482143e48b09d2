package notify

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A message released unsent (its batch ran out of time) goes back to the
// queue where it was, which on PostgreSQL may be behind the lane's front:
// a later claim, taking newer messages while it was in flight, moved the
// front past it. The node's next claim of the lane still takes it, without
// waiting for the periodic sweep (the clock stands still here, so that
// sweep never comes).
func TestReleasedMessageBehindTheFrontIsClaimedNext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.SetClock(db, time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
		enqueue := func(ref string) {
			t.Helper()
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return Enqueue(tx, Message{Recipient: "254700000001", Lane: LaneToken, Template: "token", Body: "b", Ref: ref})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		w := &Worker{DB: db, Routes: []Route{{Name: "a", Sender: &Sink{}}}}
		w.init()
		claim := func(want string) claimed {
			t.Helper()
			c, err := w.claim(ctx, []string{LaneToken}, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for _, m := range c.msgs {
				got += m.Ref + " "
			}
			if got != want {
				t.Fatalf("claimed %q, want %q", got, want)
			}
			return c
		}

		enqueue("old")
		first := claim("old ")
		clock.Add(3 * time.Second) // less than a sweep's interval
		enqueue("new")
		claim("new ") // the front passes "old", which is still in flight
		if err := w.record(first, []outcome{{skipped: true}}); err != nil {
			t.Fatal(err)
		}
		claim("old ")
	})
}
