package app

import (
	"context"
	"time"

	"github.com/mteja/mteja/internal/care"
)

// npsFirst is how long after start the first NPS sweep waits, so that a
// node that restarts often does not sweep on each start; npsEvery is the
// time between sweeps. Several nodes each sweep: the guard in care asks
// each phone once, so a day asks up to the sample times the nodes.
const (
	npsFirst = 5 * time.Minute
	npsEvery = 24 * time.Hour
)

// askNPS asks a sample of customers the NPS question once a day.
func (a *App) askNPS(ctx context.Context) {
	every := time.Duration(a.Config.SurveyDays) * 24 * time.Hour
	wait := time.NewTimer(npsFirst)
	defer wait.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wait.C:
		}
		n, err := care.SweepNPS(ctx, a.DB, a.Config.NPSSample, every)
		if err != nil {
			a.Log.Error("nps sweep", "err", err)
		} else if n > 0 {
			a.Log.Info("nps sweep", "asked", n)
			a.Delivery.Wake()
		}
		wait.Reset(npsEvery)
	}
}
