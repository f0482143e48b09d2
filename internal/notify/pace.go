package notify

import (
	"context"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/notify/smpp"
)

// pacer keeps bulk from running ahead of a rate-limited route. The SMPP
// client books each submit the next free slot of its rate, in arrival
// order: bulk sends let in at once would book seconds of slots ahead, and
// a token would get the slot after them. The pacer books the same slots
// first: every send books one, but only bulk waits for its own, so a
// token finds at most one bulk submit booked ahead of it inside the
// route.
type pacer struct {
	rate func() float64 // the route's rate now, submits/s; 0 for none

	mu   sync.Mutex
	next time.Time
}

// smppStats is what an SMPP route (or a wrapper of one) reports.
type smppStats interface{ Stats() smpp.Stats }

// newPacer paces by the route's own adaptive rate where it has one.
func newPacer(s Sender) *pacer {
	p := &pacer{rate: func() float64 { return 0 }}
	if c, ok := s.(smppStats); ok {
		p.rate = func() float64 { return c.Stats().TPS }
	}
	return p
}

// book takes the next slot and says how long to wait for it: no time for
// urgent lanes, which go straight on.
func (p *pacer) book(prio int) time.Duration {
	rate := p.rate()
	if rate <= 0 {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	wait := p.next.Sub(now)
	p.next = p.next.Add(time.Duration(float64(time.Second) / rate))
	if prio < Priority(LaneBulk) {
		return 0
	}
	return wait
}

// wait books a slot and waits for it, or for ctx.
func (p *pacer) wait(ctx context.Context, prio int) error {
	d := p.book(prio)
	if d <= 0 {
		return nil
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
