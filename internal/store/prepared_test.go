package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

func TestRuns(t *testing.T) {
	for _, c := range []struct {
		n, limit int
		want     []int
	}{
		{0, 256, nil},
		{1, 256, []int{1}},
		{100, 256, []int{64, 32, 4}},
		{256, 256, []int{256}},
		{600, 256, []int{256, 256, 64, 16, 8}},
		{7, 4, []int{4, 2, 1}},
	} {
		if got := Runs(c.n, c.limit); !slices.Equal(got, c.want) {
			t.Errorf("Runs(%d, %d) = %v, want %v", c.n, c.limit, got, c.want)
		}
	}
}

func TestValues(t *testing.T) {
	if got, want := Values(SQLite, 2, 2), "(?, ?), (?, ?)"; got != want {
		t.Errorf("SQLite: %q, want %q", got, want)
	}
	if got, want := Values(Postgres, 2, 2), "($1, $2), ($3, $4)"; got != want {
		t.Errorf("PostgreSQL: %q, want %q", got, want)
	}
}

// A text run in two transactions is prepared once on SQLite's writer and
// reused from then on, rows written all the same; another text is not
// prepared until it too has been run twice.
func TestExecPrepared(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Write().ExecContext(ctx, `CREATE TABLE t (a INTEGER, b TEXT)`); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO t (a, b) VALUES ` + Values(SQLite, 2, 2)
	for i := range 4 {
		if err := db.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.ExecPrepared(insert, i, "x", i, "y"); err != nil {
				return err
			}
			rows, err := tx.QueryPrepared(`SELECT count(*) FROM t WHERE a = $1`, i)
			if err != nil {
				return err
			}
			defer rows.Close()
			var n int
			for rows.Next() {
				if err := rows.Scan(&n); err != nil {
					return err
				}
			}
			if n != 2 {
				return fmt.Errorf("transaction %d sees %d rows of its own, want 2", i, n)
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		db.prepared.mu.Lock()
		_, kept := db.prepared.stmts[insert]
		db.prepared.mu.Unlock()
		if want := i >= 1; kept != want {
			t.Errorf("after transaction %d: prepared %v, want %v", i, kept, want)
		}
	}
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 8 {
		t.Fatalf("%d rows (%v), want 8", n, err)
	}
}
