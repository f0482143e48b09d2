// Package store opens the database (embedded SQLite by default, PostgreSQL in
// production), runs the embedded migrations and hands out transactions. It
// owns no domain tables' queries: each domain package writes its own SQL and
// runs it inside a *Tx from here.
//
// One SQL text serves both engines where it can: both accept $1 placeholders,
// ON CONFLICT and RETURNING. Times are stored as BIGINT microseconds since the
// Unix epoch in UTC, which both engines compare and index the same way and
// which a later Postgres-compatible distributed engine handles too.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned, wrapped, when a looked-up record does not exist,
// whatever the engine says for "no rows".
var ErrNotFound = errors.New("not found")

// DB is an open database: a write pool and a read pool.
//
// SQLite allows one writer at a time. Giving it one write connection makes
// writers queue in Go, where waiting is cheap and fair, rather than in SQLite's
// busy handler, which sleeps and retries. Readers use a separate pool, which
// WAL mode lets run beside the writer.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	// Now is the clock every transaction reads once; tests replace it.
	Now func() time.Time
	dsn string
	// prepared holds SQLite statements kept prepared on the writer (see
	// ExecPrepared).
	prepared prepared
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL
// for PostgreSQL; anything else is a SQLite file path (an optional "sqlite:"
// prefix is stripped). The SQLite file's folder is created if missing.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	}
	// busy_timeout comes first so that the pragmas after it, which may need a
	// lock, wait instead of failing while another process holds the file.
	// synchronous=FULL: an acknowledged payment survives a power cut; in WAL
	// mode NORMAL would gain little (measured about 25%) and risk exactly that.
	dsn := func(txlock string, extra ...string) string {
		q := url.Values{}
		for _, p := range append([]string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)"}, extra...) {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", txlock)
		return "file:" + path + "?" + q.Encode()
	}
	// The writer keeps 16 MB of pages (SQLite's default is 2 MB): a vend
	// writes at random places in the indexes of tables of millions of
	// rows, and each page not cached is read back from the file. Measured
	// with a million vends stored, 200,000 payments flat out: 2,048 → 2,258
	// payments/s end to end, 98 → 128 MB resident; 32 MB gave no more
	// (2,229/s) for 158 MB.
	write, err := sql.Open("sqlite", dsn("immediate", "cache_size(-16384)"))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn("deferred"))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	return &DB{Dialect: SQLite, write: write, read: read, Now: time.Now, dsn: path}, nil
}

// sessionDefaults are the settings every PostgreSQL session of a node
// starts with, unless the DSN names them. The name lets an operator tell
// mteja's sessions from others in pg_stat_activity. The idle timeout ends a
// session of ours that a stuck goroutine left idle inside a transaction:
// no node's transaction waits on anything but the database for more than
// seconds, and one left open keeps VACUUM from removing dead rows, so that
// every queue and index grows until it ends (see Holders).
var sessionDefaults = map[string]string{
	"application_name":                    "mteja",
	"idle_in_transaction_session_timeout": "60s",
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		// Not echoed: a DSN carries the password.
		return nil, errors.New("open postgres: the DSN is not a valid URL (postgres://user:password@host:port/database?options)")
	}
	q := u.Query()
	for k, v := range sessionDefaults {
		if !q.Has(k) {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	dsn = u.String()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &DB{Dialect: Postgres, write: db, read: db, Now: time.Now, dsn: dsn}, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.closePrepared()
	err := db.write.Close()
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Read returns the pool for queries outside a write transaction. On SQLite
// it sees every committed write (WAL snapshot at statement start).
func (db *DB) Read() *sql.DB { return db.read }

// Write returns the write pool, for code that must batch statements itself
// (migrations, bulk import). Prefer Tx.
func (db *DB) Write() *sql.DB { return db.write }

// Micros converts a time to the stored form.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// Time converts a stored time back; 0 is the zero time.
func Time(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// NullTime converts a nullable stored time.
func NullTime(us sql.NullInt64) time.Time {
	if !us.Valid {
		return time.Time{}
	}
	return Time(us.Int64)
}
