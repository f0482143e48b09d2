package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// GroupCommitter gathers items handed in by many concurrent callers and
// writes them in one transaction, then answers each caller. Durability costs
// one fsync per transaction, so a batch of a hundred payments costs what one
// did; this is how intake stays both durable-before-acknowledged and fast.
//
// If a batch fails as a whole, each item is retried in its own transaction,
// so one bad item cannot fail the others.
type GroupCommitter[In, Out any] struct {
	db    *DB
	write func(tx *Tx, items []In) ([]Out, error)
	max   int
	in    chan groupItem[In, Out]
	// After runs after each successful commit with the outputs, outside the
	// transaction (e.g. to wake a worker).
	After func(outs []Out)

	once sync.Once
	done chan struct{}
}

type groupItem[In, Out any] struct {
	ctx   context.Context
	v     In
	reply chan groupResult[Out]
}

type groupResult[Out any] struct {
	out Out
	err error
}

// NewGroupCommitter returns a committer writing up to max items a
// transaction with write, which must return one output per input, in order.
func NewGroupCommitter[In, Out any](db *DB, max int, write func(tx *Tx, items []In) ([]Out, error)) *GroupCommitter[In, Out] {
	return &GroupCommitter[In, Out]{db: db, write: write, max: max, in: make(chan groupItem[In, Out], max*4), done: make(chan struct{})}
}

// ErrClosed is returned by Submit after Run has stopped.
var ErrClosed = errors.New("group committer stopped")

// Submit hands in one item and waits until it is committed (or failed).
func (g *GroupCommitter[In, Out]) Submit(ctx context.Context, v In) (Out, error) {
	var zero Out
	it := groupItem[In, Out]{ctx: ctx, v: v, reply: make(chan groupResult[Out], 1)}
	select {
	case g.in <- it:
	case <-g.done:
		return zero, ErrClosed
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	// Once handed in, wait for the answer even if the caller's context ends:
	// the item may be committed, and the caller must learn which.
	select {
	case r := <-it.reply:
		return r.out, r.err
	case <-g.done:
		select {
		case r := <-it.reply:
			return r.out, r.err
		default:
			return zero, ErrClosed
		}
	}
}

// Run writes batches until ctx ends. Items already handed in are written
// before it returns.
func (g *GroupCommitter[In, Out]) Run(ctx context.Context) {
	defer g.once.Do(func() { close(g.done) })
	batch := make([]groupItem[In, Out], 0, g.max)
	for {
		batch = batch[:0]
		select {
		case it := <-g.in:
			batch = append(batch, it)
		case <-ctx.Done():
			// Drain what was handed in before stopping.
			for {
				select {
				case it := <-g.in:
					g.commit(context.WithoutCancel(ctx), []groupItem[In, Out]{it}, false)
				default:
					return
				}
			}
		}
		g.commit(context.WithoutCancel(ctx), batch, true)
	}
}

// commit writes batch in one transaction; with fill, the batch takes in
// what is handed in until the transaction has begun.
func (g *GroupCommitter[In, Out]) commit(ctx context.Context, batch []groupItem[In, Out], fill bool) {
	var outs []Out
	err := g.db.InTx(ctx, func(tx *Tx) error {
		// The batch takes in what was handed in up to now, the wait for
		// the writer included: on SQLite it waits for whatever
		// transaction holds the one writer (a vend batch: tens of
		// milliseconds under load), and those items would otherwise wait
		// for the next commit.
		for fill && len(batch) < g.max {
			select {
			case it := <-g.in:
				batch = append(batch, it)
			default:
				fill = false
			}
		}
		items := make([]In, len(batch))
		for i, it := range batch {
			items[i] = it.v
		}
		var err error
		outs, err = g.write(tx, items)
		if err == nil && len(outs) != len(items) {
			err = fmt.Errorf("group commit: %d outputs for %d items", len(outs), len(items))
		}
		return err
	})
	if err == nil {
		if g.After != nil {
			g.After(outs)
		}
		for i, it := range batch {
			it.reply <- groupResult[Out]{out: outs[i]}
		}
		return
	}
	if len(batch) == 1 {
		batch[0].reply <- groupResult[Out]{err: err}
		return
	}
	for _, it := range batch {
		g.commit(ctx, []groupItem[In, Out]{it}, false)
	}
}
