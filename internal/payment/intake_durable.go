package payment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// DefaultRetryFor is how long intake retries a write the database could
// not take before it spools it. Daraja waits about 8 s for an answer; 4 s
// of retries leaves room for the spool's fsync and the network.
const DefaultRetryFor = 4 * time.Second

// IntakeCounts are the ride-through figures shown in /metrics.
type IntakeCounts struct {
	Retried  atomic.Int64 // writes that succeeded after the database came back
	Spooled  atomic.Int64 // payments written to the spool
	Replayed atomic.Int64 // spooled payments stored in the database
}

// RecordDurably stores p like Record, riding through a database that is
// restarting: a write that failed because the database was unreachable is
// retried, with backoff, for up to RetryFor; if it still fails and a spool
// is set, p is appended to the spool (synced to disk) and spooled is true.
// Only an error means the caller must not acknowledge the payment.
func (in *Intake) RecordDurably(ctx context.Context, p Payment) (rec Recorded, spooled bool, err error) {
	retryFor := in.RetryFor
	if retryFor <= 0 {
		retryFor = DefaultRetryFor
	}
	// The payment is real money whether or not the caller is still
	// waiting: a confirmation whose sender hung up is kept all the same.
	ctx = context.WithoutCancel(ctx)
	arrived := time.Now()
	deadline := arrived.Add(retryFor)
	attempts := 0
	err = store.RetryUnavailable(ctx, retryFor, func() error {
		attempts++
		var err error
		rec, err = in.recordBy(ctx, p, deadline)
		return err
	})
	if err == nil {
		if attempts > 1 {
			in.Counts.Retried.Add(1)
		}
		return rec, false, nil
	}
	if !store.Unavailable(err) {
		return Recorded{}, false, err
	}
	if in.Spool == nil {
		return Recorded{}, false, fmt.Errorf("record payment %s: database unavailable for %s: %w", p.Receipt, retryFor, err)
	}
	if serr := in.Spool.Append(p, arrived); serr != nil {
		return Recorded{}, false, errors.Join(err, serr)
	}
	in.Counts.Spooled.Add(1)
	in.log().Warn("payment spooled: database unavailable", "receipt", p.Receipt, "err", err)
	return Recorded{Payment: p}, true, nil
}

// recordBy records p, but waits for the answer only until deadline. A write
// still in flight then may yet commit; that is harmless, because the spool
// replays it through the same receipt-unique insert.
func (in *Intake) recordBy(ctx context.Context, p Payment, deadline time.Time) (Recorded, error) {
	type result struct {
		rec Recorded
		err error
	}
	done := make(chan result, 1)
	go func() {
		rec, err := in.Record(ctx, p)
		done <- result{rec, err}
	}()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case r := <-done:
		return r.rec, r.err
	case <-timer.C:
		return Recorded{}, fmt.Errorf("record payment %s: %w", p.Receipt, store.ErrTooSlow)
	}
}

// ReplaySpool moves spooled payments into the database through the same
// write as every other payment (idempotent on the receipt), then wakes the
// workers. It returns how many were replayed.
func (in *Intake) ReplaySpool(ctx context.Context) (int, error) {
	if in.Spool == nil || !in.Spool.Pending() {
		return 0, nil
	}
	n, torn, err := in.Spool.Replay(ctx, func(ctx context.Context, batch []Spooled) error {
		ps := make([]Payment, len(batch))
		for i, s := range batch {
			ps[i] = s.Payment
		}
		err := in.replay(ctx, ps)
		if err == nil || store.Unavailable(err) || len(ps) == 1 {
			return err
		}
		// One payment the database refuses for a reason of its own must not
		// hold back the others, nor be lost: each is tried alone, and one
		// that still fails is kept as a dead letter for staff.
		for _, p := range ps {
			if err := in.replay(ctx, []Payment{p}); err != nil {
				if store.Unavailable(err) {
					return err
				}
				if err := in.deadLetter(ctx, p, err); err != nil {
					return err
				}
			}
		}
		return nil
	})
	in.Counts.Replayed.Add(int64(n))
	if torn > 0 {
		in.log().Warn("spool: torn records skipped (never acknowledged)", "torn", torn)
	}
	if n > 0 {
		in.log().Info("spooled payments replayed into the database", "payments", n)
	}
	return n, err
}

func (in *Intake) replay(ctx context.Context, ps []Payment) error {
	var outs []Recorded
	if err := in.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		outs, err = in.write(tx, append([]Payment(nil), ps...))
		return err
	}); err != nil {
		return err
	}
	in.after(outs)
	return nil
}

func (in *Intake) deadLetter(ctx context.Context, p Payment, cause error) error {
	body, _ := json.Marshal(p)
	in.log().Error("spooled payment refused by the database; kept as a dead letter", "receipt", p.Receipt, "err", cause)
	return in.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO dead_letters (id, source, body, error, remote, received_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			uuid.Must(uuid.NewV7()).String(), "intake spool", string(body), cause.Error(), "", store.Micros(tx.Now))
		return err
	})
}

// RunReplay replays the spool at start and then every interval while
// records wait, until ctx ends: the database is back when a replay works.
func (in *Intake) RunReplay(ctx context.Context, interval time.Duration) {
	if in.Spool == nil {
		return
	}
	for {
		if _, err := in.ReplaySpool(ctx); err != nil && ctx.Err() == nil {
			in.log().Warn("spool replay failed; will try again", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

func (in *Intake) log() *slog.Logger {
	if in.Log != nil {
		return in.Log
	}
	return slog.Default()
}
