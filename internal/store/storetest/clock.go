package storetest

import (
	"sync/atomic"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// Clock is a settable clock for a database's transactions (store.DB.Now),
// safe to move while the workers under test read it.
type Clock struct{ ns atomic.Int64 }

// SetClock gives db a Clock standing at start and returns it.
func SetClock(db *store.DB, start time.Time) *Clock {
	c := &Clock{}
	c.ns.Store(start.UnixNano())
	db.Now = c.Now
	return c
}

// Now is the clock's time, in UTC.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Add moves the clock by d (back, for d < 0).
func (c *Clock) Add(d time.Duration) { c.ns.Add(int64(d)) }
