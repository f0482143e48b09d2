package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// walRestartFrames is the log length (pages of 4 KiB: 16 MB) past which
// the writer's connection finishes the copy itself, so that the next
// commit starts the log from its beginning. A passive checkpoint beside
// the writer never catches up with it: new pages arrive while it copies,
// so the log is never wholly copied when a write begins, and SQLite only
// restarts the log at such a moment. Left to passive checkpoints the log
// reached 430 MB in 25 s of load.
const walRestartFrames = 4096

// RunCheckpoints moves SQLite's checkpoints off the writer until ctx ends.
//
// In WAL mode a commit appends pages to the log, and by default the commit
// that takes the log past 1,000 pages copies the log into the database
// file and syncs it, on the writer's connection, while every other writer
// waits. As the tables grow each batch touches more distinct index pages
// (receipts, meters, token digits and phones are spread over their
// indexes), the log grows faster, and the writer spent a growing share of
// its time checkpointing: 6.5% of the node's CPU with 1,000,000 vends
// stored. Here the writer's automatic checkpoint is turned off and this
// loop checkpoints from a reader's connection every interval instead, in
// PASSIVE mode, which copies what it can without waiting for the writer
// or readers, so the copy runs beside the writes on another core; only
// the few pages written since are left for the writer's own connection
// when the log must start over.
//
// If the connection is reopened, SQLite's own automatic checkpoint comes
// back with it: slower, never unsafe. On PostgreSQL it does nothing.
func (db *DB) RunCheckpoints(ctx context.Context, every time.Duration, log *slog.Logger) {
	if db.Dialect != SQLite {
		return
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		log.Warn("checkpoints stay on the writer", "err", err)
		return
	}
	defer func() {
		// Hand checkpoints back to the writer for whatever writes after.
		db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA wal_autocheckpoint = 1000`)
	}()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		frames, err := db.Checkpoint(ctx, false)
		if err == nil && frames > walRestartFrames {
			// Just after the passive copy, what is left is a few pages.
			_, err = db.Checkpoint(ctx, true)
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("checkpoint", "err", err)
		}
	}
}

// Checkpoint copies SQLite's write-ahead log into the database file and
// returns the log's length in pages. It is always PASSIVE: it copies what
// readers let it and never waits for them, so a long report cannot hold
// up the vends behind a checkpoint. Beside the writer (onWriter false) it
// runs on a reader's connection and the writer goes on meanwhile. On the
// writer's connection it is queued behind the transaction in progress like
// any write, so no write of this node comes between it and the next
// commit, which then starts the log over if the copy was whole.
func (db *DB) Checkpoint(ctx context.Context, onWriter bool) (frames int, err error) {
	pool := db.read
	if onWriter {
		pool = db.write
	}
	var busy, copied int
	if err := pool.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	return frames, nil
}
