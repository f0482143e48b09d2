package store

import "testing"

func TestSQLiteParams(t *testing.T) {
	tests := []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`INSERT INTO t VALUES ($1, $2), ($3, $4)`, `INSERT INTO t VALUES (?, ?), (?, ?)`},
		{`UPDATE t SET a = $1 WHERE b IN ($2, $3)`, `UPDATE t SET a = ? WHERE b IN (?, ?)`},
		{`SELECT '$1', $1`, `SELECT '$1', ?`},
		{`UPDATE t SET a = $2, b = $1`, `UPDATE t SET a = $2, b = $1`},               // out of order: kept
		{`SELECT $1 WHERE x = $1`, `SELECT $1 WHERE x = $1`},                         // reused: kept
		{`INSERT INTO t VALUES ($1, $2, $10)`, `INSERT INTO t VALUES ($1, $2, $10)`}, // gap: kept
	}
	for _, tt := range tests {
		if got := sqliteParams(tt.in); got != tt.want {
			t.Errorf("sqliteParams(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkSQLiteParams(b *testing.B) {
	q := `INSERT INTO t VALUES ` + Placeholders(1, 3000)
	for b.Loop() {
		sqliteParams(q)
	}
}
