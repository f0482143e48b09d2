package notify

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
)

// Sender is one SMS route as the worker needs it. The SMPP client, the HTTP
// gateway client and the in-process sink satisfy it.
type Sender interface {
	Send(ctx context.Context, m sms.Message) (sms.SubmitResult, error)
}

// Route is a named sender. Routes are tried in the order given; the next
// takes over when one errors or its delivery receipts stop coming.
type Route struct {
	Name   string
	Sender Sender
	// Lanes the route carries; nil carries every lane. A second SMPP bind
	// kept for token traffic is a route with Lanes token, OTP and
	// transactional, listed before the shared one.
	Lanes []string
	// Window is how many sends this node keeps in flight on the route at
	// once. Default 32.
	Window int
	// BulkWindow caps how many of those are bulk. Default 8: a token never
	// waits behind more bulk submits than this inside the route. It must
	// cover the route's rate times its round trip, or bulk runs below the
	// rate (8 covers 80 submits/s at a 100 ms round trip).
	BulkWindow int
	// NoReceipts marks a route that reports no delivery receipts: its
	// silence then says nothing about its health.
	NoReceipts bool
}

func (r Route) carries(lane string) bool {
	return r.Lanes == nil || slices.Contains(r.Lanes, lane)
}

// RouteStatus is one route's health as this node sees it.
type RouteStatus struct {
	Name string
	// Open is true while the route is skipped after consecutive failed
	// sends; it is tried again (one probe) at Until.
	Open  bool
	Until time.Time
	// Silent is true when messages submitted on the route have had no
	// receipt for the worker's ReceiptTimeout and no receipt at all has
	// come since: other routes take the traffic first.
	Silent    bool
	LastError string
}

// Up reports whether the route takes traffic first.
func (s RouteStatus) Up() bool { return !s.Open && !s.Silent }

// route is a Route with its runtime state on this node. Errors are
// local (this node's bind); receipt silence is read from the database,
// since a receipt may arrive on any node's bind.
type route struct {
	Route
	gate *gate
	pace *pacer

	mu        sync.Mutex
	fails     int // consecutive provable failures
	openUntil time.Time
	cooldown  time.Duration
	probing   bool
	silent    bool
	lastErr   string

	// binds counts the sender's successful binds, for a route that keeps
	// a bind (nil otherwise); bindsAtOpen is its count when the circuit
	// last opened. A bind made since then ends the cool-down early: the
	// SMSC is back, and waiting out a cool-down doubled during a long
	// outage would leave the backlog queued for seconds after it.
	binds       func() int64
	bindsAtOpen int64
}

// bindCounter reads a route's successful binds, if its sender keeps one.
func bindCounter(s Sender) func() int64 {
	if c, ok := s.(smppStats); ok {
		return func() int64 { return c.Stats().Binds }
	}
	return nil
}

// rebound says whether the sender has bound again since the circuit
// opened. The caller holds mu.
func (r *route) rebound() bool {
	return r.binds != nil && r.binds() > r.bindsAtOpen
}

// coolingDown says whether an open route must still be skipped at now.
// The caller holds mu.
func (r *route) coolingDown(now time.Time) bool {
	return now.Before(r.openUntil) && !r.rebound()
}

// circuit settings, from the Worker.
type circuit struct {
	threshold int
	min, max  time.Duration
}

// tryUse says whether a send may go on the route now. After the cool-down
// one probe passes; the others wait for its outcome.
func (r *route) tryUse(now time.Time) (ok, probe bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.openUntil.IsZero() {
		return true, false
	}
	if r.coolingDown(now) || r.probing {
		return false, false
	}
	r.probing = true
	return true, true
}

// available is tryUse without taking the probe, for planning.
func (r *route) available(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.openUntil.IsZero() || (!r.coolingDown(now) && !r.probing)
}

func (r *route) isSilent() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.silent
}

// reopensAt is when an open route may be tried again (zero if closed).
func (r *route) reopensAt() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.openUntil
}

func (r *route) succeeded() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fails, r.cooldown, r.probing, r.openUntil = 0, 0, false, time.Time{}
}

// failed records a failed send; it reports whether the route just opened.
func (r *route) failed(now time.Time, c circuit, err error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fails++
	r.lastErr = truncate(err.Error())
	if !r.probing && r.fails < c.threshold {
		return false
	}
	wasOpen := !r.openUntil.IsZero()
	if r.probing {
		r.cooldown = min(2*r.cooldown, c.max)
	}
	if r.cooldown == 0 {
		r.cooldown = c.min
	}
	r.openUntil, r.probing = now.Add(r.cooldown), false
	if r.binds != nil {
		r.bindsAtOpen = r.binds()
	}
	return !wasOpen
}

// unprobe gives the probe back when it was not used for a send.
func (r *route) unprobe() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.probing = false
}

func (r *route) setSilent(s bool) (changed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed, r.silent = r.silent != s, s
	return changed
}

func (r *route) status() RouteStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return RouteStatus{Name: r.Name, Open: !r.openUntil.IsZero(), Until: r.openUntil, Silent: r.silent, LastError: r.lastErr}
}

// candidates orders the routes that may carry m: healthy ones in the
// configured order, then silent ones, with m's avoided route last. Open
// routes are left out. It also returns the earliest time an open route
// may be tried again, for when none is left.
func candidates(routes []*route, m Message, now time.Time) ([]*route, time.Time) {
	var ok, silent, avoided []*route
	var next time.Time
	for _, r := range routes {
		if !r.carries(m.Lane) {
			continue
		}
		if !r.available(now) {
			if t := r.reopensAt(); next.IsZero() || t.Before(next) {
				next = t
			}
			continue
		}
		switch {
		case r.Name == m.AvoidRoute:
			avoided = append(avoided, r)
		case r.isSilent():
			silent = append(silent, r)
		default:
			ok = append(ok, r)
		}
	}
	return append(append(ok, silent...), avoided...), next
}
