package app

import (
	"context"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/vend"
)

// startDelivery runs the delivery watchdog: delay notices for late token
// messages, and incidents when delivery falls behind its objective. Every
// node runs one; on PostgreSQL only one of them acts at a time.
func (a *App) startDelivery(ctx context.Context) {
	a.run(ctx, a.Watchdog.Run)
}

// newWatchdog builds the watchdog with the defaults notify documents; New
// calls it, so that a test can tune a.Watchdog before Start.
func (a *App) newWatchdog() *notify.Watchdog {
	wd := &notify.Watchdog{DB: a.DB, Log: a.Log, Metrics: a.Delivery.Metrics, Wake: a.Delivery.Wake, Compose: a.delayNotice}
	if a.Config.TokenSLO > 0 {
		wd.SLO = map[string]time.Duration{notify.LaneToken: a.Config.TokenSLO}
	}
	return wd
}

// delayNotice fills the delay notice from the vend a token message is
// about. With key-change tokens it leaves Token empty: the notice then
// repeats the token message, the only text that carries them all.
func (a *App) delayNotice(ctx context.Context, m notify.Message) (notify.DelayNotice, error) {
	v, err := vend.Get(ctx, a.DB.Read(), m.Ref)
	if err != nil {
		return notify.DelayNotice{}, err
	}
	d := vend.TokenSMS(a.Config.Utility, v)
	if len(d.KeyTokens) > 0 {
		return notify.DelayNotice{}, nil
	}
	return notify.DelayNotice{Amount: d.Amount, Meter: d.Meter, Receipt: d.Receipt, Token: d.Token, USSD: a.Config.USSDCode}, nil
}

// smsReceipt is a route's receipt callback. Once the node has started, the
// delivery worker applies receipts in batches off the caller's goroutine
// (an SMPP bind's read loop must get back to reading); before that, one
// by one. Closing ready orders this after a.Delivery is set.
func (a *App) smsReceipt(route string) func(sms.Receipt) {
	return func(r sms.Receipt) {
		select {
		case <-a.ready:
			a.Delivery.OnReceipt(route)(r)
		default:
			a.receipt(r)
		}
	}
}
