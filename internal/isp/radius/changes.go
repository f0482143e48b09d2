package radius

import (
	"context"
	"time"
)

// QueuedChange is a Change waiting in billing's queue, with the id its
// attempts are recorded under.
type QueuedChange struct {
	ID string
	Change
}

// ChangeQueue is billing's queue of CoA and Disconnect requests to send
// (package isp implements it).
type ChangeQueue interface {
	// ClaimChanges hands out at most n changes to send. Each is handed to
	// one claimer (on any node) until a Final result is recorded for it,
	// or its claim lapses because the claimer stopped; then it is handed
	// out again. No changes and no error: nothing to send now.
	ClaimChanges(ctx context.Context, n int) ([]QueuedChange, error)
	// RecordChange records one attempt at change id, every one of them,
	// the Final one last. A Disconnect's ACK is not the end of the story:
	// see ChangeResult.
	RecordChange(ctx context.Context, id string, r ChangeResult) error
}

// RunChanges claims changes from q and sends them, CoA.Workers at a time,
// until ctx ends; then it waits for the sends in flight. When q has
// nothing it looks again after poll (1 s when 0).
func (s *Server) RunChanges(ctx context.Context, q ChangeQueue, poll time.Duration) error {
	if poll <= 0 {
		poll = time.Second
	}
	slots := make(chan struct{}, s.cfg.CoA.Workers)
	freed := make(chan struct{}, 1)
	defer func() {
		for range cap(slots) { // wait for the sends in flight
			slots <- struct{}{}
		}
	}()
	for {
		free := cap(slots) - len(slots)
		var batch []QueuedChange
		if free > 0 {
			var err error
			batch, err = q.ClaimChanges(ctx, free)
			if err != nil && ctx.Err() == nil {
				s.log.warn("claim", "radius: claiming changes to send", "err", err)
			}
		}
		for _, c := range batch {
			slots <- struct{}{}
			go func() {
				defer func() {
					<-slots
					select { // wake the loop; one signal waiting is enough
					case freed <- struct{}{}:
					default:
					}
				}()
				s.Send(ctx, c.Change, func(r ChangeResult) {
					// Recorded even when ctx has ended: the attempt was made.
					rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
					defer cancel()
					if err := q.RecordChange(rctx, c.ID, r); err != nil {
						s.log.warn("record", "radius: recording a change's attempt", "id", c.ID, "err", err)
					}
				})
			}()
		}
		if len(batch) > 0 && len(batch) == free {
			continue // the queue may hold more: claim again once a slot frees
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-freed:
		case <-t.C:
		}
		t.Stop()
	}
}
