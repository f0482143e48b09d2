package bench

import (
	"context"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// WAL is what PostgreSQL wrote to its write-ahead log during a run, per
// payment: every row version and index entry a payment costs shows here,
// and the volume sets how often the server must checkpoint (and so how
// many full page images follow). It is the whole server's log: another
// database's writes in the same seconds count too.
type WAL struct {
	// BytesPerPayment is exact: the log's position moved this far.
	BytesPerPayment float64 `json:"bytes_per_payment"`
	// RecordsPerPayment and FullPagesPerPayment come from the server's
	// statistics (pg_stat_wal), which each session publishes at most
	// once a second; Vend waits for them (Options.WAL).
	RecordsPerPayment float64 `json:"records_per_payment"`
	// FullPagesPerPayment counts full page images: the first change to
	// a page after each checkpoint writes the whole 8 KB page.
	FullPagesPerPayment float64 `json:"full_pages_per_payment"`
}

type walStat struct{ bytes, records, fpi float64 }

// walSettle is how long a busy session may hold its statistics before
// publishing them (PostgreSQL's PGSTAT_MIN_INTERVAL, one second), with a
// margin: read sooner, the counters miss the last second's writes, which
// before a run are the preload's.
const walSettle = 1200 * time.Millisecond

// walNow reads the log's position and the server's log statistics
// (pg_stat_wal, PostgreSQL 14 and later), after walSettle; ok is false on
// SQLite or where they cannot be read.
func walNow(ctx context.Context, db *store.DB) (s walStat, ok bool) {
	if db.Dialect != store.Postgres {
		return s, false
	}
	select {
	case <-time.After(walSettle):
	case <-ctx.Done():
		return s, false
	}
	err := db.Read().QueryRowContext(ctx, `SELECT pg_current_wal_lsn() - '0/0'::pg_lsn, wal_records::float8, wal_fpi::float8 FROM pg_stat_wal`).
		Scan(&s.bytes, &s.records, &s.fpi)
	return s, err == nil
}

// walSince is the log written since before, per payment.
func walSince(ctx context.Context, db *store.DB, before walStat, payments int) *WAL {
	after, ok := walNow(ctx, db)
	if !ok || payments == 0 {
		return nil
	}
	n := float64(payments)
	return &WAL{
		BytesPerPayment:     (after.bytes - before.bytes) / n,
		RecordsPerPayment:   (after.records - before.records) / n,
		FullPagesPerPayment: (after.fpi - before.fpi) / n,
	}
}
