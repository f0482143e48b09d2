package radius

import (
	"net/netip"
	"sync"
	"time"
)

// replyCache answers a retransmitted request with the reply already sent,
// without asking billing again (RFC 5080 section 2.2.2): a NAS that lost
// our reply sends the same packet (same source, identifier and
// authenticator) after its timeout, and must get the same answer even if
// the user's balance changed in between. A retransmit that arrives while
// the first copy is still being decided is dropped: the first copy's reply
// goes to the same address and answers both.
//
// Entries live between ttl and twice ttl: each shard keeps two
// generations and drops the older one every ttl, which costs no timer and
// no scan.
type replyCache struct {
	ttl      time.Duration
	perShard int
	shards   [16]cacheShard
}

type cacheKey struct {
	src  netip.AddrPort
	code byte
	id   byte
	auth [16]byte
}

type cacheShard struct {
	mu       sync.Mutex
	cur, old map[cacheKey][]byte // a nil reply marks a request in flight
	rotated  time.Time
}

type cacheState int

const (
	cacheNew      cacheState = iota // not seen: decide it, then finish or abandon
	cacheHit                        // answered before: resend the reply
	cacheInFlight                   // being decided now: drop this copy
)

// newReplyCache holds at most about max replies; past that, new requests
// are decided without being remembered.
func newReplyCache(ttl time.Duration, max int) *replyCache {
	c := &replyCache{ttl: ttl, perShard: max/16 + 1}
	for i := range c.shards {
		c.shards[i].cur = make(map[cacheKey][]byte)
		c.shards[i].old = make(map[cacheKey][]byte)
	}
	return c
}

func (c *replyCache) shard(k cacheKey) *cacheShard {
	// The authenticator is random (Access-Request) or an MD5 (the others):
	// any of its octets spreads keys evenly.
	return &c.shards[k.auth[0]&15]
}

func (s *cacheShard) rotate(now time.Time, ttl time.Duration) {
	if now.Sub(s.rotated) >= ttl {
		s.old, s.cur = s.cur, make(map[cacheKey][]byte, len(s.cur))
		s.rotated = now
	}
}

// begin looks k up and, when it is new, marks it in flight.
func (c *replyCache) begin(k cacheKey, now time.Time) ([]byte, cacheState) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotate(now, c.ttl)
	r, ok := s.cur[k]
	if !ok {
		r, ok = s.old[k]
	}
	switch {
	case ok && r != nil:
		return r, cacheHit
	case ok:
		return nil, cacheInFlight
	}
	if len(s.cur) < c.perShard {
		s.cur[k] = nil
	}
	return nil, cacheNew
}

// finish stores the reply sent for k.
func (c *replyCache) finish(k cacheKey, reply []byte, now time.Time) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotate(now, c.ttl)
	delete(s.old, k)
	if _, in := s.cur[k]; in || len(s.cur) < c.perShard {
		s.cur[k] = reply
	}
}

// abandon forgets k, unanswered, so that the NAS's retransmit is decided
// afresh (after billing failed).
func (c *replyCache) abandon(k cacheKey) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cur, k)
	delete(s.old, k)
}
