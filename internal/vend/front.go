package vend

import (
	"sync"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// front is where a node's claims begin their walk of the payment queue on
// PostgreSQL.
//
// A claim reads payments_work (the received payments, by received_at) from
// its oldest entry. On PostgreSQL a vended payment leaves its entry there,
// dead, until VACUUM removes it; and on a table of a million payments
// autovacuum's threshold (a fifth of the rows) is not reached in hours of
// peak. Every claim stepped over every payment vended since the last
// VACUUM (measured: 1,000,000 payments stored, three nodes, 150,000
// payments into a run, one claim read 2,109 index pages and took 24 ms; the
// run fell from 2,990 payments/s in its first 40 s to 1,870/s in the next
// 45).
//
// So a claim begins frontMargin before the oldest payment the last claim
// took: the margin covers an intake transaction that stamped its payments
// before that claim and committed after it, and nodes' clocks (which stamp
// received_at) that disagree by less than that. A payment that falls behind
// the front anyway (one another batch held and rolled back, one waiting out
// a retry's backoff, one received long before it was stored, as a replayed
// callback can be) is found by a claim from the start of the queue, every
// frontSweep; while those sweeps come back full, the next claim sweeps too.
//
// SQLite removes an entry from its index when the row changes, so there
// every claim begins at the start.
type front struct {
	mu    sync.Mutex
	from  int64     // claims read received_at >= from (microseconds)
	swept time.Time // when a claim last began at the start of the queue
}

const (
	frontMargin = int64(2 * time.Second / time.Microsecond)
	frontSweep  = 5 * time.Second
)

// start returns where a claim at now begins, and whether it is a sweep
// (from the start of the queue).
func (f *front) start(now time.Time) (from int64, sweep bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.swept) >= frontSweep || now.Before(f.swept) {
		f.swept = now
		return 0, true
	}
	return f.from, false
}

// advance moves the front after a claim at now that took n of the most it
// asked for, the oldest received at oldest (microseconds; unused when n is
// 0). It never moves back: what is behind it is the sweeps' to find.
func (f *front) advance(now time.Time, sweep bool, oldest int64, n, most int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	next := store.Micros(now) - frontMargin
	if n > 0 {
		next = min(next, oldest-frontMargin)
	}
	if sweep && n == most && oldest < f.from {
		f.swept = time.Time{} // more may wait behind the front
	}
	f.from = max(f.from, next)
}
