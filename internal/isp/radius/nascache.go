package radius

import (
	"context"
	"net/netip"
	"sync"
	"time"
)

// nasCache keeps Decider.NASByAddr's answers for a few seconds, the
// unknown addresses too: every packet needs its NAS's secret before it can
// be checked at all, and a flood of packets from an unknown source must
// not become a flood of database queries. A NAS added, removed or given a
// new secret is seen after at most ttl.
type nasCache struct {
	ttl time.Duration
	d   Decider

	mu sync.RWMutex
	m  map[netip.Addr]nasEntry
}

type nasEntry struct {
	nas     NAS
	ok      bool
	expires time.Time
}

// maxNASEntries bounds the map against spoofed sources: past it, the cache
// starts again empty.
const maxNASEntries = 10_000

func newNASCache(d Decider, ttl time.Duration) *nasCache {
	return &nasCache{ttl: ttl, d: d, m: make(map[netip.Addr]nasEntry)}
}

func (c *nasCache) lookup(ctx context.Context, addr netip.Addr, now time.Time) (NAS, bool, error) {
	c.mu.RLock()
	e, hit := c.m[addr]
	c.mu.RUnlock()
	if hit && now.Before(e.expires) {
		return e.nas, e.ok, nil
	}
	nas, ok, err := c.d.NASByAddr(ctx, addr)
	if err != nil {
		return NAS{}, false, err
	}
	c.mu.Lock()
	if len(c.m) >= maxNASEntries {
		c.m = make(map[netip.Addr]nasEntry)
	}
	c.m[addr] = nasEntry{nas: nas, ok: ok, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return nas, ok, nil
}
