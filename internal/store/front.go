package store

import (
	"sync"
	"time"
)

// Front is where a node's claims of a queue begin their walk on
// PostgreSQL: the vend worker's of received payments, the delivery
// worker's of each lane's queued messages. Its zero value is ready: the
// first claim sweeps.
//
// A claim reads its queue's partial index (the rows waiting, oldest
// first) from the oldest entry. On PostgreSQL a row that leaves the
// queue leaves its entry there, dead, until VACUUM removes it; and on a
// table of a million rows autovacuum's threshold (a fifth of the rows) is
// not reached in hours of peak. Every claim stepped over every row taken
// since the last VACUUM (measured on payments: 1,000,000 stored, three
// nodes, 150,000 payments into a run, one claim read 2,109 index pages
// and took 24 ms; the run fell from 2,990 payments/s in its first 40 s to
// 1,870/s in the next 45; over a whole run the claims' mean went from
// 3.7 ms to 0.85 ms with the front, and their longest from 232 to 33 ms).
//
// So a claim begins FrontMargin before the oldest row the last claim
// took: the margin covers a transaction that stamped its rows before that
// claim and committed after it, and nodes' clocks (which stamp the rows)
// that disagree by less than that. A row that falls behind the front
// anyway (one another node held and rolled back, one whose claim ran out,
// one stamped long before it was stored, as a replayed callback can be) is
// found by a claim from the start of the queue, every FrontSweep; while
// those sweeps come back full, the next claim sweeps too. A node that puts
// rows back behind its front itself calls Reset.
//
// SQLite removes an entry from its index when the row changes: there
// claims need no front.
type Front struct {
	mu    sync.Mutex
	from  int64     // claims read rows stamped at or after from (microseconds)
	swept time.Time // when a claim last began at the start of the queue
}

const (
	// FrontMargin is how far before the oldest row it last took a claim begins.
	FrontMargin = 2 * time.Second
	// FrontSweep is how often a claim begins at the start of the queue.
	FrontSweep = 5 * time.Second
)

// Start returns where a claim at now begins, and whether it is a sweep
// (from the start of the queue).
func (f *Front) Start(now time.Time) (from int64, sweep bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.swept) >= FrontSweep || now.Before(f.swept) {
		f.swept = now
		return 0, true
	}
	return f.from, false
}

// Advance moves the front after a claim at now that took n of the most it
// asked for, the oldest stamped at oldest (microseconds; unused when n is
// 0). It never moves back: what is behind it is the sweeps' to find.
func (f *Front) Advance(now time.Time, sweep bool, oldest int64, n, most int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	margin := FrontMargin.Microseconds()
	next := Micros(now) - margin
	if n > 0 {
		next = min(next, oldest-margin)
	}
	if sweep && n == most && oldest < f.from {
		f.swept = time.Time{} // more may wait behind the front
	}
	f.from = max(f.from, next)
}

// Reset makes the next claim a sweep: for rows this node put back behind
// the front.
func (f *Front) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.swept = time.Time{}
}
