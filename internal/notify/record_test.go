package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// held is a route that takes every message but answers only once let go,
// so that a test can change the rows while the sends are under way.
type held struct {
	notify.Sink
	started chan struct{}
	release chan struct{}
}

func (h *held) Send(ctx context.Context, m sms.Message) (sms.SubmitResult, error) {
	h.started <- struct{}{}
	<-h.release
	return h.Sink.Send(ctx, m)
}

// A batch's sends are recorded several to a statement. Each message gets
// its own provider id; one whose claim ran out mid-send and that another
// node settled as sent with its outcome unknown still takes the answer;
// one that another node claimed again and is sending is left to it.
func TestSubmitsRecordedInRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 300 // more than one run of submittedRun
		var msgs []notify.Message
		for i := range n {
			msgs = append(msgs, token(fmt.Sprintf("2547%08d", i), fmt.Sprintf("v%d", i)))
		}
		enqueue(t, db, msgs...)
		h := &held{started: make(chan struct{}, n), release: make(chan struct{})}
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: h}}, Batch: n, Concurrency: n}
		done := make(chan error, 1)
		go func() { _, err := w.RunOnce(ctx); done <- err }()
		// The sends are under way (the route's window lets some start, the
		// rest wait behind them) when another node settled v1 after the claim ran out, and
		// claimed v2 again.
		select {
		case <-h.started:
		case <-time.After(20 * time.Second):
			t.Fatal("no send started")
		}
		if _, err := db.Write().ExecContext(ctx, `UPDATE messages SET state = 'submitted', route = 'a', provider_id = '', claimed_until = 0, sending_route = ''
			WHERE ref = 'v1'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Write().ExecContext(ctx, `UPDATE messages SET claimed_until = 42, sending_route = 'b' WHERE ref = 'v2'`); err != nil {
			t.Fatal(err)
		}
		close(h.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		for i := range n {
			ref := fmt.Sprintf("v%d", i)
			m := get(t, db, ref)
			if ref == "v2" {
				if m.State != notify.StateQueued || m.ProviderID != "" {
					t.Fatalf("the other node's message was recorded: %+v", m)
				}
				var until int64
				if err := db.Read().QueryRow(`SELECT claimed_until FROM messages WHERE ref = 'v2'`).Scan(&until); err != nil || until != 42 {
					t.Fatalf("the other node's claim: %d %v", until, err)
				}
				continue
			}
			if m.State != notify.StateSubmitted || m.Route != "a" || m.ProviderID == "" || m.Attempts != 1 {
				t.Fatalf("%s after its send: %+v", ref, m)
			}
			if other, dup := seen[m.ProviderID]; dup {
				t.Fatalf("%s and %s have the same provider id %s", ref, other, m.ProviderID)
			}
			seen[m.ProviderID] = ref
		}
	})
}
