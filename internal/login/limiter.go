package login

import (
	"sync"
	"time"
)

// Limiter throttles requests per key (a session, a client address) with a
// token bucket per key: Burst requests at once, then Rate a second. It lives
// in one process: it shields a node from a flood, while the limits that
// guard codes live in the database, where every node counts them.
type Limiter struct {
	Rate  float64 // requests a second, refilled continuously
	Burst int
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter returns a limiter allowing burst requests at once and rate a
// second after that, per key.
func NewLimiter(rate float64, burst int) *Limiter {
	return &Limiter{Rate: rate, Burst: burst}
}

// Allow takes one request for key. When the key's bucket is empty it
// returns false and how long until a request would be allowed.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(l.Burst), at: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.at).Seconds(); el > 0 {
		b.tokens = min(float64(l.Burst), b.tokens+el*l.Rate)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.Rate * float64(time.Second))
	return false, max(wait.Round(time.Second), time.Second)
}

// sweep drops buckets that have refilled, so that the map holds only keys
// seen lately; it runs at most once a minute.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	full := time.Duration(float64(l.Burst) / l.Rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.at) > full {
			delete(l.buckets, k)
		}
	}
}
