package ussd

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// onceCache keeps the answers of steps that changed something, so that a
// request the gateway sends again is answered without doing the step twice
// (two STK pushes for one confirmation would charge the caller twice). It is
// per process: a resend reaches the same node in the time a session lasts,
// and the backend keeps its own idempotency for anything that must survive.
type onceCache struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	m     map[string]*onceEntry
	queue []queued // insertion order; with one TTL, also expiry order
}

type queued struct {
	key string
	e   *onceEntry
}

type onceEntry struct {
	done chan struct{} // closed when text and err are set
	at   time.Time
	text string
	err  error
}

func newOnceCache(ttl time.Duration, max int, now func() time.Time) *onceCache {
	return &onceCache{ttl: ttl, max: max, now: now, m: make(map[string]*onceEntry)}
}

// do runs f once for key within the TTL and returns its result to every
// caller with that key. A caller whose context ends while another runs f
// stops waiting; f keeps running.
func (c *onceCache) do(ctx context.Context, key string, f func() (string, error)) (string, error) {
	c.mu.Lock()
	e, ok := c.m[key]
	if ok && c.now().Sub(e.at) >= c.ttl {
		delete(c.m, key)
		ok = false
	}
	if !ok {
		c.evict()
		e = &onceEntry{done: make(chan struct{}), at: c.now()}
		c.m[key] = e
		c.queue = append(c.queue, queued{key, e})
	}
	c.mu.Unlock()

	if ok {
		select {
		case <-e.done:
			return e.text, e.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	func() {
		defer close(e.done)
		defer func() {
			// A panic in the backend must neither leave waiters blocked nor
			// take the server down; it is reported as an error.
			if r := recover(); r != nil {
				e.err = fmt.Errorf("panic: %v", r)
			}
		}()
		e.text, e.err = f()
	}()
	return e.text, e.err
}

// evict drops expired entries and, at the cap, the oldest, to make room for
// one more. Called with mu held.
func (c *onceCache) evict() {
	now := c.now()
	n := 0
	for _, q := range c.queue {
		if c.m[q.key] == q.e && now.Sub(q.e.at) < c.ttl && len(c.m) < c.max {
			break
		}
		if c.m[q.key] == q.e {
			delete(c.m, q.key)
		}
		n++
	}
	c.queue = c.queue[n:]
}

func (c *onceCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
