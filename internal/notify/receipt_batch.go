package notify

import (
	"context"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/store"
)

// Receipt hands a delivery receipt to the worker, which applies it with
// others in one transaction. It does not wait for the commit: an SMPP
// bind calls it on its read loop, which must get back to reading
// submit_sm_resp. A receipt lost in a crash before its commit leaves its
// message submitted; for a token, the watchdog then sends a delay notice.
// Before Run starts and after it ends, receipts are applied at once.
func (w *Worker) Receipt(r sms.Receipt) { w.receive(receiptItem{r: r}) }

// OnReceipt returns a receipt handler for one route: its receipts match
// only messages sent on that route, so two SMSCs that number their
// messages alike cannot mark each other's messages.
func (w *Worker) OnReceipt(route string) func(sms.Receipt) {
	return func(r sms.Receipt) { w.receive(receiptItem{route: route, r: r}) }
}

func (w *Worker) receive(it receiptItem) {
	w.initReceipts()
	w.rmu.RLock()
	if w.receiving {
		select {
		case w.receipts <- it:
			w.rmu.RUnlock()
			return
		default: // full: apply it here, which slows the caller down
		}
	}
	w.rmu.RUnlock()
	w.applyNow([]receiptItem{it})
}

// receiptLoop applies queued receipts in batches until ctx ends, then
// applies what is left.
func (w *Worker) receiptLoop(ctx context.Context) {
	w.rmu.Lock()
	w.receiving = true
	w.rmu.Unlock()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var last time.Time // when the last batch began
	full := false      // it took all it could
	for {
		select {
		case <-tick.C:
			w.sweepIfParked(ctx)
		case it := <-w.receipts:
			// Receipts gather for receiptGap after the last batch began
			// (unless that one was full), so that under load a commit
			// carries a few hundred of them, not the handful that came
			// in while the last one committed: on SQLite every commit
			// takes the one writer from the vends.
			if wait := receiptGap - time.Since(last); wait > 0 && !full {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
				}
			}
			last = time.Now()
			batch := w.drainReceipts([]receiptItem{it})
			full = len(batch) == receiptBatch
			w.applyNow(batch)
		case <-ctx.Done():
			w.rmu.Lock()
			w.receiving = false
			w.rmu.Unlock()
			for {
				batch := w.drainReceipts(nil)
				if len(batch) == 0 {
					return
				}
				w.applyNow(batch)
			}
		}
	}
}

// receiptGap is the least time between the starts of two batches of
// receipts while receipts keep coming, and receiptBatch the most one
// batch applies. A receipt changes no customer's wait (its token was sent
// already), so it can wait that long; measured at 2,000 payments a second
// on SQLite, receipts took 788 commits in 20 s, 2.0 s of the writer's
// time, in batches of about 50.
const (
	receiptGap   = 100 * time.Millisecond
	receiptBatch = 1024
)

// drainReceipts adds what is queued, without waiting, up to a batch.
func (w *Worker) drainReceipts(batch []receiptItem) []receiptItem {
	for len(batch) < receiptBatch {
		select {
		case it := <-w.receipts:
			batch = append(batch, it)
		default:
			return batch
		}
	}
	return batch
}

func (w *Worker) applyNow(items []receiptItem) {
	// Not the caller's context: a receipt is worth applying even as the
	// node stops.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var applied []appliedReceipt
	var parked int
	err := w.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		st := newStmts(tx)
		defer st.Close()
		applied, parked, err = applyReceipts(tx, st, items)
		return err
	})
	if err != nil {
		w.log().Error("apply delivery receipts", "n", len(items), "err", err)
		return
	}
	if parked > 0 {
		w.lastPark.Store(time.Now().UnixNano())
	}
	for _, a := range applied {
		w.Metrics.receipt(a)
	}
}

// sweepIfParked applies parked receipts whose submit has been recorded
// since, when this node parked any lately. On PostgreSQL a receipt can
// park while the record of its submit commits beside it, neither seeing
// the other; this finds it within a second. (The watchdog sweeps too,
// for receipts parked on other nodes.)
func (w *Worker) sweepIfParked(ctx context.Context) {
	last := w.lastPark.Load()
	if last == 0 || time.Since(time.Unix(0, last)) > 30*time.Second {
		return
	}
	now := time.Now().UnixNano()
	prev := w.lastSweep.Load()
	if now-prev < int64(200*time.Millisecond) || !w.lastSweep.CompareAndSwap(prev, now) {
		return
	}
	if _, err := sweepParked(ctx, w.DB, time.Hour, w.Metrics); err != nil && ctx.Err() == nil {
		w.log().Error("apply parked receipts", "err", err)
	}
}
