// Package smpp sends SMS over SMPP 3.4 (bind_transceiver) with
// github.com/linxGnu/gosmpp v0.3.1 underneath, and reports delivery
// receipts and inbound messages.
//
// What the Client adds to the library: its own splitting and UDH (the
// library cuts GSM text over 140 octets, billing a 141-160 character
// message twice), a window and an adaptive rate limit per bind, rebinding
// with backoff, the mapping of command_status to the sms error classes,
// telling "not sent" from "sent but unanswered" when a connection drops,
// and receipt parsing that copes with the usual SMSC quirks.
package smpp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linxGnu/gosmpp"
	"github.com/linxGnu/gosmpp/data"

	"github.com/mteja/mteja/internal/notify/sms"
)

// Client is one route: a bind_transceiver kept up in the background.
// It is safe for concurrent use; Send calls share the window.
type Client struct {
	cfg     Config
	limiter *limiter
	// window holds a slot per submit awaiting its response. It is ours,
	// not gosmpp's WindowedRequestTracking: that one reports a full window
	// only later through OnSubmitError, after Submit has returned, and
	// hides the responses the Client must match itself.
	window chan struct{}
	ref    atomic.Uint32 // concatenation reference, one per long message

	mu      sync.Mutex
	cur     *bind         // nil while not bound
	boundCh chan struct{} // closed at the next successful bind
	bindErr error         // why the last bind attempt failed

	idMu   sync.Mutex
	ids    *idBook
	parked map[*parkedReceipt]struct{}

	inflight atomic.Int64
	stats    counters

	closing   chan struct{}
	closeOnce sync.Once
	done      chan struct{}
}

// New validates cfg and starts binding in the background. Use WaitBound
// to wait for the first bind; Send waits up to Config.BindWait by itself.
func New(cfg Config) (*Client, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Client{
		cfg:     cfg,
		limiter: newLimiter(cfg.TPS, cfg.MinTPS, cfg.RecoverEvery),
		window:  make(chan struct{}, cfg.Window),
		boundCh: make(chan struct{}),
		ids:     newIDBook(cfg.IDMemory),
		parked:  make(map[*parkedReceipt]struct{}),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	c.ref.Store(rand.Uint32())
	go c.run()
	return c, nil
}

// run keeps a bind up until Close.
func (c *Client) run() {
	defer close(c.done)
	var down outage
	delay := c.cfg.ReconnectMin
	for {
		b := newBind(c)
		if err := b.connect(); err != nil {
			c.stats.bindFailures.Add(1)
			c.setBindErr(err)
			wait := delay
			if credentialsRefused(err) {
				wait = max(wait, c.cfg.RefusedRetry)
			}
			if down.failed(time.Now(), err) {
				c.cfg.Logger.Warn("smpp bind failed; retrying quietly until it binds", "addr", c.cfg.Addr, "err", err)
			}
			if !c.sleep(wait) {
				return
			}
			delay = min(2*delay, c.cfg.ReconnectMax)
			continue
		}
		c.stats.binds.Add(1)
		c.setBound(b)
		if attempts, d := down.over(time.Now()); attempts > 0 {
			c.cfg.Logger.Info("smpp bound", "addr", c.cfg.Addr, "system_id", c.cfg.SystemID,
				"failed_attempts", attempts, "down", d.Round(time.Millisecond))
		} else {
			c.cfg.Logger.Info("smpp bound", "addr", c.cfg.Addr, "system_id", c.cfg.SystemID)
		}
		select {
		case <-b.lost:
		case <-c.closing:
		}
		c.setUnbound(b)
		b.close()
		select {
		case <-c.closing:
			return
		default:
		}
		c.stats.reconnects.Add(1)
		lived := time.Since(b.since)
		down.start(time.Now())
		c.cfg.Logger.Warn("smpp bind lost", "addr", c.cfg.Addr, "after", lived.Round(time.Millisecond))
		// A bind that lived a while is rebound at once; one that keeps
		// dying young backs off like a failed bind.
		if lived > 30*time.Second {
			delay = c.cfg.ReconnectMin
			continue
		}
		if !c.sleep(delay) {
			return
		}
		delay = min(2*delay, c.cfg.ReconnectMax)
	}
}

// outage tracks one spell without a bind, so that it is logged once when
// it starts (and again only if the reason changes in kind) and once when
// it ends, not at every attempt.
type outage struct {
	since    time.Time // zero while bound
	attempts int
	refused  bool // the last failure was a refusal (sms.ErrBindFailed)
}

// start marks a bind lost at now.
func (o *outage) start(now time.Time) {
	if o.since.IsZero() {
		o.since = now
	}
}

// failed counts a failed attempt and says whether to log it: the first of
// an outage, or the first after the kind of failure changed.
func (o *outage) failed(now time.Time, err error) bool {
	refused := errors.Is(err, sms.ErrBindFailed)
	first := o.attempts == 0 || refused != o.refused
	o.start(now)
	o.attempts++
	o.refused = refused
	return first
}

// over ends the outage at now: how many attempts failed and how long it
// lasted (zero after a first bind that went through).
func (o *outage) over(now time.Time) (attempts int, lasted time.Duration) {
	attempts = o.attempts
	if !o.since.IsZero() {
		lasted = now.Sub(o.since)
	}
	*o = outage{}
	return attempts, lasted
}

// credentialsRefused is a bind refused for its system_id, password or
// system_type, not the catch-all ESME_RBINDFAIL that an SMSC also sends
// while it restarts.
func credentialsRefused(err error) bool {
	var be gosmpp.BindError
	return errors.As(err, &be) && bindErrorIsAuth(be.CommandStatus) && be.CommandStatus != data.ESME_RBINDFAIL
}

// sleep waits between half and all of d ("equal jitter"), so many clients
// do not rebind in step and no wait exceeds the cap. It returns false if
// the Client is closing.
func (c *Client) sleep(d time.Duration) bool {
	d = time.Duration(float64(d) * (0.5 + 0.5*rand.Float64()))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.closing:
		return false
	}
}

func (c *Client) setBound(b *bind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur, c.bindErr = b, nil
	close(c.boundCh)
}

func (c *Client) setUnbound(b *bind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == b {
		c.cur = nil
		c.boundCh = make(chan struct{})
	}
}

func (c *Client) setBindErr(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bindErr = err
}

// awaitBind returns the current bind, waiting up to BindWait for one.
// After a refused login it fails at once with sms.ErrBindFailed.
func (c *Client) awaitBind(ctx context.Context) (*bind, error) {
	var timeout <-chan time.Time
	if c.cfg.BindWait > 0 {
		t := time.NewTimer(c.cfg.BindWait)
		defer t.Stop()
		timeout = t.C
	}
	for {
		c.mu.Lock()
		b, ch, lastErr := c.cur, c.boundCh, c.bindErr
		c.mu.Unlock()
		if b != nil {
			return b, nil
		}
		if errors.Is(lastErr, sms.ErrBindFailed) {
			return nil, lastErr
		}
		notBound := func(why error) error {
			if lastErr != nil {
				return fmt.Errorf("not bound (%w; last bind: %w): %w", why, lastErr, sms.ErrTemporary)
			}
			return fmt.Errorf("not bound (%w): %w", why, sms.ErrTemporary)
		}
		if c.cfg.BindWait < 0 {
			return nil, notBound(errors.New("not waiting"))
		}
		select {
		case <-ch:
		case <-timeout:
			return nil, notBound(fmt.Errorf("waited %v", c.cfg.BindWait))
		case <-ctx.Done():
			return nil, notBound(ctx.Err())
		case <-c.closing:
			return nil, notBound(errors.New("client closed"))
		}
	}
}

// WaitBound blocks until the Client is bound, ctx ends, or a bind attempt
// is refused for its credentials (then the error wraps sms.ErrBindFailed;
// the Client keeps trying in the background all the same).
func (c *Client) WaitBound(ctx context.Context) error {
	for {
		c.mu.Lock()
		b, ch, lastErr := c.cur, c.boundCh, c.bindErr
		c.mu.Unlock()
		if b != nil {
			return nil
		}
		if errors.Is(lastErr, sms.ErrBindFailed) {
			return lastErr
		}
		// Poll for a refusal: it does not close boundCh.
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ch:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			if lastErr != nil {
				return fmt.Errorf("wait for bind: %w (last bind: %w)", ctx.Err(), lastErr)
			}
			return fmt.Errorf("wait for bind: %w", ctx.Err())
		case <-c.closing:
			t.Stop()
			return errors.New("wait for bind: client closed")
		}
		t.Stop()
	}
}

// Close unbinds and stops rebinding. Submits still waiting for their
// response end with sms.ErrUnknownOutcome (or sms.ErrTemporary if they
// never left). Parked receipts are reported before Close returns.
func (c *Client) Close() error {
	c.closeOnce.Do(func() { close(c.closing) })
	<-c.done
	c.flushParked()
	return nil
}
