package smpp

import (
	"context"
	"sync"
	"time"
)

// limiter paces submit_sm at an adaptive rate. It schedules each submit
// one interval after the previous one (no bursts: operators count per
// second and a burst at the top of a second is what gets throttled).
//
// A throttle halves the rate, down to a floor; each whole step (Config.
// RecoverEvery, 1 s by default) without a throttle doubles it, up to the
// configured maximum. Why that shape: an SMSC's throttle is a per-second
// quota or a passing congestion, and what it costs us is a backlog of
// tokens waiting. Halving finds a rate under the quota within a few
// refusals; doubling climbs back from the floor (max/16) in four steps,
// where a gentle climb (a quarter every 5 s) took over a minute and kept
// the backlog growing long after the SMSC was fine again. Climbing too far
// is cheap: the next throttle halves again at once, and a throttled submit
// was refused, so resubmitting it cannot send it twice.
//
// The steps are counted from the last change whether or not anything was
// sent meanwhile: a quiet spell or an outage is time without throttles
// too, and an SMSC coming back from an outage starts its quotas afresh.
type limiter struct {
	mu           sync.Mutex
	max, min     float64
	rate         float64
	next         time.Time // earliest start of the next submit
	lastCut      time.Time // when the rate was last halved
	lastChange   time.Time // last halving or the start of the current step
	recoverEvery time.Duration
}

func newLimiter(maxRate, minRate float64, recoverEvery time.Duration) *limiter {
	return &limiter{max: maxRate, min: minRate, rate: maxRate, recoverEvery: recoverEvery}
}

// recover doubles the rate once per whole step since the last change, up
// to max. The caller holds mu.
func (l *limiter) recover(now time.Time) {
	if l.rate >= l.max || l.recoverEvery <= 0 {
		return
	}
	steps := now.Sub(l.lastChange) / l.recoverEvery
	for ; steps > 0 && l.rate < l.max; steps-- {
		l.rate = min(l.max, l.rate*2)
		l.lastChange = l.lastChange.Add(l.recoverEvery)
	}
}

// reserve books the next slot at now and says how long to wait for it.
func (l *limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recover(now)
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
	l.recover(now)
	l.rate = max(l.min, l.rate/2)
	l.lastCut, l.lastChange = now, now
	// Leave a gap before the next submit at the new rate.
	if gap := now.Add(time.Duration(float64(time.Second) / l.rate)); l.next.Before(gap) {
		l.next = gap
	}
}

// rateAt is the rate in use at now, in submits per second.
func (l *limiter) rateAt(now time.Time) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recover(now)
	return l.rate
}

// current is the rate in use now. Pacing outside the Client (bulk lanes)
// reads it, so it counts the recovery steps even while nothing is sent.
func (l *limiter) current() float64 { return l.rateAt(time.Now()) }
