// Package storetest runs one test suite on every database engine: SQLite
// always, PostgreSQL when MTEJA_TEST_POSTGRES holds a DSN. Each test gets a
// fresh database: a new SQLite file, or a new PostgreSQL schema dropped at
// the end, so tests can run in parallel without seeing each other's rows.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mteja/mteja/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL DSN for tests.
const EnvPostgres = "MTEJA_TEST_POSTGRES"

var warnOnce sync.Once

// Engines lists the engines available to this test run.
func Engines() []store.Dialect {
	if os.Getenv(EnvPostgres) == "" {
		warnOnce.Do(func() {
			fmt.Fprintf(os.Stderr, "storetest: PostgreSQL tests SKIPPED: set %s to a DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)\n", EnvPostgres)
		})
		return []store.Dialect{store.SQLite}
	}
	return []store.Dialect{store.SQLite, store.Postgres}
}

// Each runs fn as a subtest once per engine, with a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			if d == store.Postgres && os.Getenv(EnvPostgres) == "" {
				t.Skipf("PostgreSQL: set %s to run", EnvPostgres)
			}
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated database of the given engine, closed (and,
// on PostgreSQL, its schema dropped) when the test ends.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	return OpenDSN(t, DSN(t, d))
}

// OpenDSN opens the database at dsn (from DSN) and migrates it, closed when
// the test ends. Opening one DSN twice gives two connections to one
// database, as two nodes have.
func OpenDSN(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// DSN returns the DSN of a fresh, empty database of the given engine (a new
// SQLite file path, or a PostgreSQL DSN whose search_path is a new schema).
func DSN(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(t.TempDir(), "mteja.db")
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL: set %s to run", EnvPostgres)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres: bad %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
