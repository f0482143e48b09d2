package app

import (
	"context"
	"time"

	"github.com/mteja/mteja/internal/outreach"
)

// outreachFirst is how long after start the first outreach sweep waits,
// so that a node that restarts often does not sweep on each start;
// outreachEvery is the time between sweeps. A reminder counts whole days,
// and a tariff notice is due days ahead, so an hour is prompt enough. Every
// node sweeps: the rows in outreach let one of them send each message.
const (
	outreachFirst = 2 * time.Minute
	outreachEvery = time.Hour
)

// sendOutreach runs the low-credit reminders and the tariff notices that
// the configuration switches on.
func (a *App) sendOutreach(ctx context.Context) {
	reminders := &outreach.Reminders{DB: a.DB, Quiet: a.Config.QuietHours, Ways: a.BuyingWays()}
	notices := &outreach.Notices{DB: a.DB, Quiet: a.Config.QuietHours, Utility: a.Config.Utility}
	wait := time.NewTimer(outreachFirst)
	defer wait.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wait.C:
		}
		sent := 0
		if a.Config.Reminders {
			n, err := reminders.Sweep(ctx)
			if err != nil {
				a.Log.Error("credit reminders", "err", err)
			}
			sent += n
			if n > 0 {
				a.Log.Info("credit reminders", "meters", n)
			}
		}
		if a.Config.TariffNotices {
			n, err := notices.Sweep(ctx)
			if err != nil {
				a.Log.Error("tariff notices", "err", err)
			}
			sent += n
			if n > 0 {
				a.Log.Info("tariff notices", "phones", n)
			}
		}
		if sent > 0 {
			a.Delivery.Wake()
		}
		wait.Reset(outreachEvery)
	}
}

// BuyingWays are the ways to buy that messages may name: the utility's
// first Paybill number (the one requests are made for) and its USSD code.
func (a *App) BuyingWays() outreach.Ways {
	return outreach.Ways{Utility: a.Config.Utility, Paybill: a.Config.DarajaShortCode(), USSDCode: a.Config.USSDCode}
}
