package app

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mteja/mteja/internal/payment"
)

// spoolReplayEvery is how often a node with spooled payments tries the
// database again.
const spoolReplayEvery = 2 * time.Second

// openSpool keeps the payments the database cannot take during an outage in
// the node's own data directory (see payment.Spool for why that is safe).
func (a *App) openSpool() error {
	sp, err := payment.OpenSpool(filepath.Join(a.Config.DataDir, "spool"))
	if err != nil {
		return fmt.Errorf("intake spool (data directory %s): %w", a.Config.DataDir, err)
	}
	a.Intake.Spool = sp
	a.Intake.Log = a.Log
	return nil
}

func intakeCollectors(in *payment.Intake) []prometheus.Collector {
	counter := func(name, help string, f func() int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(f()) })
	}
	return []prometheus.Collector{
		counter("mteja_intake_retried_total", "Payments stored after retrying while the database was unreachable.", in.Counts.Retried.Load),
		counter("mteja_intake_spooled_total", "Payments kept in the local spool because the database was unreachable.", in.Counts.Spooled.Load),
		counter("mteja_intake_replayed_total", "Spooled payments stored in the database.", in.Counts.Replayed.Load),
	}
}
