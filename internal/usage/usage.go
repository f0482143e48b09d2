// Package usage counts how customers serve themselves: each use of a
// function (last tokens, buy, "I paid but got no token", report a fault...)
// on each channel (USSD, SMS keywords, web portal, app, API, staff), per
// day. The management reports read the counts.
//
// Counting must cost the channels nothing they would notice: a USSD screen
// or a portal page usually writes nothing, and a write of its own would
// queue behind the vends on SQLite's one writer. So each node counts in
// memory and adds its counts to the database every minute (Run), in one
// small transaction. A crash loses at most that minute's counts, which a
// statistic can afford; money and messages never depend on them.
package usage

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// Channels.
const (
	USSD  = "ussd"
	SMS   = "sms"   // keywords texted to the short code
	Web   = "web"   // the customer portal
	App   = "app"   // the customer app's API (/api/v1/me)
	API   = "api"   // integrations and agents through the API
	Staff = "staff" // care and finance staff
)

// Actions. A channel may use others; these are the ones several share.
const (
	Tokens    = "tokens"    // read the last tokens
	Balance   = "balance"   // last purchase, month's energy, debt
	Purchases = "purchases" // purchase history
	Buy       = "buy"       // start an M-Pesa payment
	Paid      = "paid"      // "I paid but got no token": look up a receipt
	Resend    = "resend"    // send the tokens again by SMS
	Fault     = "fault"     // report a fault
	Outage    = "outage"    // outage status
	Language  = "language"  // change language
	Meters    = "meters"    // list or look up meters
	Help      = "help"
	OptOut    = "stop"  // STOP: no more notices
	OptIn     = "start" // START: notices again

	// Staff work on customers' behalf.
	PaymentList  = "payments" // look payments up
	SuspenseList = "suspense" // read the suspense list
	Assign       = "assign"   // assign a payment in suspense to a meter
	Refund       = "refund"   // refund a payment in suspense
	Reverse      = "reverse"  // record an M-Pesa reversal
)

// keywordActions names the SMS keywords' canonical commands (package
// keyword) as the actions the other channels use.
var keywordActions = map[string]string{"token": Tokens, "bal": Balance}

type key struct{ day, channel, action string }

// Counter counts uses in memory until Flush adds them to the database. A
// nil *Counter counts nothing, so that a channel built without one (in
// tests) needs no check.
type Counter struct {
	DB *store.DB
	// Now is the clock that dates each use (default DB.Now).
	Now func() time.Time

	mu     sync.Mutex
	counts map[key]int64
}

// Add counts one use of action on channel, dated today in East Africa
// Time. SMS keywords may be given by their command names ("token", "bal").
func (c *Counter) Add(channel, action string) {
	if c == nil {
		return
	}
	if channel == SMS {
		if a, ok := keywordActions[action]; ok {
			action = a
		}
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	} else if c.DB != nil && c.DB.Now != nil {
		now = c.DB.Now
	}
	k := key{now().In(tariff.Zone).Format(time.DateOnly), channel, action}
	c.mu.Lock()
	if c.counts == nil {
		c.counts = map[key]int64{}
	}
	c.counts[k]++
	c.mu.Unlock()
}

// Flush adds the counts so far to the database, in one transaction. Counts
// that fail to be written are kept for the next Flush.
func (c *Counter) Flush(ctx context.Context) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	taken := c.counts
	c.counts = nil
	c.mu.Unlock()
	if len(taken) == 0 {
		return nil
	}
	err := c.DB.InTx(ctx, func(tx *store.Tx) error {
		var b strings.Builder
		b.WriteString(`INSERT INTO usage_daily (day, channel, action, uses) VALUES `)
		args := make([]any, 0, 4*len(taken))
		for k, n := range taken {
			if len(args) > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%s)", store.Placeholders(len(args)+1, 4))
			args = append(args, k.day, k.channel, k.action, n)
		}
		// Several nodes add to one row: each adds its own count.
		b.WriteString(` ON CONFLICT (day, channel, action) DO UPDATE SET uses = usage_daily.uses + excluded.uses`)
		_, err := tx.Exec(b.String(), args...)
		return err
	})
	if err != nil {
		c.mu.Lock()
		if c.counts == nil {
			c.counts = map[key]int64{}
		}
		for k, n := range taken {
			c.counts[k] += n
		}
		c.mu.Unlock()
		return fmt.Errorf("flush usage counts: %w", err)
	}
	return nil
}

// Run flushes every interval (a minute when 0) until ctx ends, then once
// more, so that a node stopped on purpose loses nothing. onErr, if set,
// hears of failed flushes; their counts wait for the next.
func (c *Counter) Run(ctx context.Context, every time.Duration, onErr func(error)) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	report := func(err error) {
		if err != nil && onErr != nil {
			onErr(err)
		}
	}
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			report(c.Flush(final))
			cancel()
			return
		case <-t.C:
			report(c.Flush(ctx))
		}
	}
}
