package app

import (
	"context"
	"errors"
	"time"

	"github.com/mteja/mteja/internal/outage"
)

// outageSweepEvery is how often each node looks for outage notices that
// fell due (planned work's notices, a change made on another node); a
// change made on this node wakes the sweep at once. Well within the ten
// minutes a confirmed outage's first notice may take.
const outageSweepEvery = 30 * time.Second

// outages is the outage notices' sweeper and its wake-up.
type outages struct {
	sweeper *outage.Sweeper
	phone   *outage.Phone
	wake    chan struct{}
}

func (a *App) outageService() *outages {
	if a.outages == nil {
		check := &outage.Check{DB: a.DB, Desk: a.Desk}
		a.outages = &outages{
			sweeper: &outage.Sweeper{DB: a.DB, Utility: a.Config.Utility, Quiet: a.Config.QuietHours},
			phone:   &outage.Phone{DB: a.DB, Check: check},
			wake:    make(chan struct{}, 1),
		}
	}
	return a.outages
}

// WakeOutages makes the sweeper look for due notices now.
func (a *App) WakeOutages() {
	select {
	case a.outageService().wake <- struct{}{}:
	default:
	}
}

// SweepOutages queues the notices that are due now and wakes delivery.
func (a *App) SweepOutages(ctx context.Context) (int, error) {
	n, err := a.outageService().sweeper.Sweep(ctx)
	if n > 0 {
		a.Delivery.Wake()
	}
	return n, err
}

// sweepOutages runs the sweep until ctx ends.
func (a *App) sweepOutages(ctx context.Context) {
	s := a.outageService()
	tick := time.NewTicker(outageSweepEvery)
	defer tick.Stop()
	for {
		for {
			n, err := a.SweepOutages(ctx)
			if err != nil {
				a.Log.Error("outage notices", "err", err)
			}
			if n > 0 {
				a.Log.Info("outage notices queued", "messages", n)
			}
			if err != nil || n == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.wake:
		}
	}
}

// reportNoPower files a "no power" report made by USSD with the outages,
// where reports near each other become a suspected outage.
func (a *App) reportNoPower(ctx context.Context, msisdn, drn string) error {
	_, err := outage.ReportNoPower(ctx, a.DB, outage.Grouping{}, msisdn, drn, "ussd")
	if errors.Is(err, outage.ErrNoMeter) {
		return nil // the fault is recorded; an unknown meter has no place
	}
	return err
}
