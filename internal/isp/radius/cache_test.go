package radius

import (
	"net/netip"
	"testing"
	"time"
)

func TestReplyCache(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1_700_000_000, 0)
	k := cacheKey{src: netip.MustParseAddrPort("10.8.0.2:40000"), code: 1, id: 7, auth: [16]byte{3}}
	other := k
	other.id = 8
	c := newReplyCache(5*time.Second, 100)
	steps := []struct {
		name  string
		do    func()
		key   cacheKey
		at    time.Duration
		want  cacheState
		reply string
	}{
		{"first copy", nil, k, 0, cacheNew, ""},
		{"retransmit while deciding", nil, k, time.Second, cacheInFlight, ""},
		{"answered, retransmit", func() { c.finish(k, []byte("accept"), t0.Add(time.Second)) }, k, 2 * time.Second, cacheHit, "accept"},
		{"another identifier", nil, other, 2 * time.Second, cacheNew, ""},
		{"abandoned: decided again", func() { c.abandon(other) }, other, 3 * time.Second, cacheNew, ""},
		{"still kept after ttl", nil, k, 6 * time.Second, cacheHit, "accept"},
		{"gone after twice ttl", nil, k, 12 * time.Second, cacheNew, ""},
	}
	for _, s := range steps {
		if s.do != nil {
			s.do()
		}
		reply, state := c.begin(s.key, t0.Add(s.at))
		if state != s.want || string(reply) != s.reply {
			t.Errorf("%s: state %d reply %q, want %d %q", s.name, state, reply, s.want, s.reply)
		}
	}
}

// A full cache still answers: new requests are decided, not remembered.
func TestReplyCacheFull(t *testing.T) {
	t.Parallel()
	c := newReplyCache(time.Minute, 0) // one entry per shard
	now := time.Unix(0, 0)
	a := cacheKey{id: 1}
	b := cacheKey{id: 2} // the same shard (auth[0] is 0)
	c.begin(a, now)
	if _, st := c.begin(b, now); st != cacheNew {
		t.Fatalf("state %d", st)
	}
	c.finish(b, []byte("x"), now)
	if _, st := c.begin(b, now); st != cacheNew {
		t.Errorf("a request past the bound was remembered")
	}
	c.finish(a, []byte("y"), now)
	if r, st := c.begin(a, now); st != cacheHit || string(r) != "y" {
		t.Errorf("the request within the bound was not remembered")
	}
}
