package smpp

import (
	"context"
	"sync"
	"time"
)

// limiter paces submit_sm at an adaptive rate. It schedules each submit
// one interval after the previous one (no bursts: operators count per
// second and a burst at the top of a second is what gets throttled).
// A throttle halves the rate; a quiet spell of recoverEvery raises it by a
// quarter, up to the configured maximum.
type limiter struct {
	mu           sync.Mutex
	max, min     float64
	rate         float64
	next         time.Time // earliest start of the next submit
	lastCut      time.Time // when the rate was last halved
	lastChange   time.Time // last halving or step up
	recoverEvery time.Duration
}

func newLimiter(maxRate, minRate float64, recoverEvery time.Duration) *limiter {
	return &limiter{max: maxRate, min: minRate, rate: maxRate, recoverEvery: recoverEvery}
}

// reserve books the next slot at now and says how long to wait for it.
func (l *limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rate < l.max && now.Sub(l.lastChange) >= l.recoverEvery {
		l.rate = min(l.max, l.rate*1.25)
		l.lastChange = now
	}
	if l.next.Before(now) {
		l.next = now
	}
	wait := l.next.Sub(now)
	l.next = l.next.Add(time.Duration(float64(time.Second) / l.rate))
	return wait
}

// wait blocks until the caller may submit, or ctx ends.
func (l *limiter) wait(ctx context.Context) error {
	d := l.reserve(time.Now())
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// throttled records an ESME_RTHROTTLED for a submit sent at sentAt. Only
// a submit sent after the last cut counts: the window's other submits
// that were already on their way when the rate dropped say nothing new.
func (l *limiter) throttled(sentAt, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !sentAt.After(l.lastCut) {
		return
	}
	l.rate = max(l.min, l.rate/2)
	l.lastCut, l.lastChange = now, now
	// Leave a gap before the next submit at the new rate.
	if gap := now.Add(time.Duration(float64(time.Second) / l.rate)); l.next.Before(gap) {
		l.next = gap
	}
}

// current is the rate in use, in submits per second.
func (l *limiter) current() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate
}
