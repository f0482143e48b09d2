package store

import (
	"context"
	"database/sql"
)

// SQLite resolves a "$N" parameter by a linear search of the statement's
// parameter names, when preparing and again when binding, so a multi-row
// INSERT with thousands of parameters costs time quadratic in its size
// (measured: two thirds of a vend batch's CPU). Anonymous "?" parameters
// need no search. The write paths therefore rewrite "$1, $2, ... $n",
// when they appear exactly in that order, to "?"; any other use of "$N"
// (a number used twice, or out of order) is left as it is.
func sqliteParams(q string) string {
	var out []byte
	next := 1
	inStr := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == '\'' {
			inStr = !inStr
		}
		j := i + 1
		if c == '$' && !inStr {
			n := 0
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				n = n*10 + int(q[j]-'0')
				j++
			}
			if j > i+1 {
				if n != next {
					return q
				}
				if out == nil {
					out = append(make([]byte, 0, len(q)), q[:i]...)
				}
				out = append(out, '?')
				next++
				i = j - 1
				continue
			}
		}
		if out != nil {
			out = append(out, c)
		}
	}
	if out == nil {
		return q
	}
	return string(out)
}

func (tx *Tx) rewrite(q string) string {
	if tx.Dialect == SQLite {
		return sqliteParams(q)
	}
	return q
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.Tx.Exec(tx.rewrite(query), args...)
}

// ExecContext runs a statement in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.Tx.ExecContext(ctx, tx.rewrite(query), args...)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return tx.Tx.Query(tx.rewrite(query), args...)
}

// QueryContext runs a query in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.Tx.QueryContext(ctx, tx.rewrite(query), args...)
}

// QueryRow runs a one-row query in the transaction.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	return tx.Tx.QueryRow(tx.rewrite(query), args...)
}

// QueryRowContext runs a one-row query in the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.Tx.QueryRowContext(ctx, tx.rewrite(query), args...)
}

// Prepare prepares a statement for repeated use in the transaction (a bulk
// load runs one multi-row INSERT thousands of times).
func (tx *Tx) Prepare(query string) (*sql.Stmt, error) {
	return tx.Tx.Prepare(tx.rewrite(query))
}
