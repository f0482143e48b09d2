package notify

import (
	"context"
	"sync"
)

// gate admits sends onto one route, most urgent lane first. A route's own
// window and rate limit serve callers in arrival order: had the bulk loop
// a hundred sends waiting inside the SMPP client, a token would queue
// behind all of them. The gate keeps bulk to a few sends inside the route
// (bulkCap) and hands every freed slot to the most urgent waiter, so a
// token waits for at most bulkCap bulk submits however long the backlog.
type gate struct {
	mu       sync.Mutex
	cap      int
	bulkCap  int
	used     int
	bulkUsed int
	waiting  [][]chan struct{} // FIFO per priority, 0 most urgent
}

func newGate(capacity, bulkCap int) *gate {
	return &gate{cap: capacity, bulkCap: min(bulkCap, capacity), waiting: make([][]chan struct{}, len(Lanes))}
}

func (g *gate) isBulk(prio int) bool { return prio == len(Lanes)-1 }

func (g *gate) fits(prio int) bool {
	return g.used < g.cap && (!g.isBulk(prio) || g.bulkUsed < g.bulkCap)
}

func (g *gate) take(prio int) {
	g.used++
	if g.isBulk(prio) {
		g.bulkUsed++
	}
}

// acquire waits for a slot for a send of the given priority.
func (g *gate) acquire(ctx context.Context, prio int) error {
	g.mu.Lock()
	ahead := false
	for p := 0; p <= prio; p++ {
		ahead = ahead || len(g.waiting[p]) > 0
	}
	if !ahead && g.fits(prio) {
		g.take(prio)
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	g.waiting[prio] = append(g.waiting[prio], ch)
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		select {
		case <-ch:
			// Granted while we gave up: hand the slot on.
			g.releaseLocked(prio)
		default:
			q := g.waiting[prio]
			for i, c := range q {
				if c == ch {
					g.waiting[prio] = append(q[:i:i], q[i+1:]...)
					break
				}
			}
		}
		return ctx.Err()
	}
}

// release frees a slot taken with the given priority.
func (g *gate) release(prio int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.releaseLocked(prio)
}

func (g *gate) releaseLocked(prio int) {
	g.used--
	if g.isBulk(prio) {
		g.bulkUsed--
	}
	for p := range g.waiting {
		for len(g.waiting[p]) > 0 && g.fits(p) {
			ch := g.waiting[p][0]
			g.waiting[p] = g.waiting[p][1:]
			g.take(p)
			close(ch)
		}
	}
}
