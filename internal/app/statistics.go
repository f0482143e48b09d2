package app

import (
	"context"
	"time"
)

// statisticsEvery is how often a PostgreSQL node looks for tables whose
// statistics went stale, or (where autovacuum is off) that need a vacuum:
// at a few thousand vends a second, ten seconds add tens of thousands of
// rows to payments, vends, messages and postings, and a fresh table's
// plans went wrong within its first minute (a sequential scan for each
// batch of delivery receipts). The look itself is one small query.
const statisticsEvery = 10 * time.Second

// checkpointEvery is how often a SQLite node copies its write-ahead log
// into the database file, off the writer (see store.DB.RunCheckpoints): at
// full load the log grows by a few megabytes in that time, about what
// SQLite's own automatic checkpoint lets it reach.
const checkpointEvery = 250 * time.Millisecond

// keepStatistics refreshes the planner's statistics of tables that grew
// past autovacuum's own threshold (see store.DB.Analyze), so that plans
// keep pace with growth where autovacuum is off or behind, and where it is
// off does its vacuuming too (store.DB.Vacuum).
func (a *App) keepStatistics(ctx context.Context) {
	t := time.NewTicker(statisticsEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		tables, err := a.DB.Analyze(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.Log.Warn("statistics", "err", err)
		case len(tables) > 0:
			a.Log.Info("statistics refreshed", "tables", tables)
		}
		tables, err = a.DB.Vacuum(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.Log.Warn("vacuum", "err", err)
		case len(tables) > 0:
			a.Log.Info("tables vacuumed (autovacuum is off)", "tables", tables)
		}
	}
}
