package app

import (
	"context"
	"time"

	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// charterEvery is the time between evaluations of the charter's cases:
// the shortest target is minutes, so a breach is found within a minute of
// it. Several nodes may each evaluate; a case is decided and paid once.
const charterEvery = time.Minute

// buildCharter loads the service charter (refusing to start on a bad one)
// and the evaluator of its cases.
func (a *App) buildCharter() error {
	c, err := charter.Load(a.Config.Charter)
	if err != nil {
		return err
	}
	a.Charter = c
	a.Evaluator = &charter.Evaluator{DB: a.DB, Charter: c, Utility: a.Config.Utility, Quiet: a.Config.QuietHours, Log: a.Log,
		FixedMonthly: a.fixedMonthly}
	return nil
}

// fixedMonthly is the monthly fixed charge of a meter's tariff today, for
// compensation that is a share of it.
func (a *App) fixedMonthly(ctx context.Context, tx *store.Tx, drn string) (money.Amount, error) {
	m, err := customer.GetMeter(ctx, tx, drn)
	if err != nil {
		return 0, err
	}
	t, err := a.Tariffs.Get(ctx, tx, m.TariffID)
	if err != nil {
		return 0, err
	}
	v, err := t.At(tx.Now)
	if err != nil {
		return 0, err
	}
	return v.FixedMonthly, nil
}

// judgeCharter evaluates the charter's open cases every minute, and
// reminds customers of compensation left waiting.
func (a *App) judgeCharter(ctx context.Context) {
	tick := time.NewTicker(charterEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := a.Evaluator.RunOnce(ctx)
		if err != nil {
			if ctx.Err() == nil {
				a.Log.Error("charter evaluation", "err", err)
			}
			continue
		}
		if n.Breached > 0 || n.Escalated > 0 {
			a.Log.Info("charter evaluation", "escalated", n.Escalated, "breached", n.Breached)
			a.Delivery.Wake()
		}
		if r, err := a.Evaluator.Remind(ctx); err != nil {
			if ctx.Err() == nil {
				a.Log.Error("compensation reminders", "err", err)
			}
		} else if r > 0 {
			a.Log.Info("compensation reminders", "meters", r)
			a.Delivery.Wake()
		}
	}
}
