package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Tx is one write transaction. Now is read once from the DB's clock when the
// transaction starts, so every row it writes carries the same time.
type Tx struct {
	*sql.Tx
	Now     time.Time
	Dialect Dialect
	db      *DB
}

// maxAttempts bounds the retries of a transaction that failed on a
// serialization conflict or deadlock (PostgreSQL 40001/40P01, which a
// distributed Postgres-compatible engine returns far more often) or on a
// locked SQLite file (another process, e.g. `mteja import`, holds it).
const maxAttempts = 8

// InTx runs fn in a write transaction and commits it. fn may run more than
// once, so it must not have effects outside the transaction (no sends, no
// channel writes) that a retry would repeat.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = db.inTxOnce(ctx, fn)
		if err == nil || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
		}
	}
	return fmt.Errorf("transaction failed after %d attempts: %w", maxAttempts, err)
}

func (db *DB) inTxOnce(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, Now: db.Now().UTC(), Dialect: db.Dialect, db: db}
	defer db.prepareSeen(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// NotFound maps sql.ErrNoRows to ErrNotFound, wrapped with what was sought.
func NotFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Placeholders returns "$start, $start+1, ..." n times, for IN lists and
// multi-row VALUES, which both engines take.
func Placeholders(start, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", start+i)
	}
	return b.String()
}

// SkipLocked is the clause that lets several nodes claim work rows without
// waiting on each other. SQLite has one writer, so it needs none.
func (tx *Tx) SkipLocked() string {
	if tx.Dialect == Postgres {
		return "FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// ForUpdate locks the selected rows on PostgreSQL; SQLite's single writer
// already excludes every other writer.
func (tx *Tx) ForUpdate() string {
	if tx.Dialect == Postgres {
		return "FOR UPDATE"
	}
	return ""
}
