package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
)

// SQLite parses every statement it is handed, and the driver keeps no
// statement once it has run, so a vend batch parsed its multi-row INSERTs
// afresh each time: 9% of a loaded node's CPU, nearly all of it on the one
// writer, which is the bottleneck. ExecPrepared and QueryPrepared keep such
// statements prepared on the write connection instead.
//
// database/sql cannot prepare a statement for the whole pool while the one
// write connection is inside a transaction, so a text is first run as it
// is and noted; once the transaction is over, the texts noted twice are
// prepared on the pool, and from then on each transaction reuses the
// connection's prepared statement (Tx.Stmt finds it, nothing is parsed).
// PostgreSQL needs none of this: the pgx driver keeps each connection's
// statements prepared by itself.

// maxPrepared bounds the statements kept. The texts handed in come from a
// small set (fixed statements, and multi-row ones in power-of-two sizes:
// see Runs), so the bound is never reached in practice; it keeps memory
// bounded should a caller hand in texts that vary.
const maxPrepared = 256

type prepared struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	seen  map[string]int
}

// ExecPrepared is Exec with q kept prepared on SQLite's writer. q must be
// one of a small set of texts (see Runs for multi-row statements).
func (tx *Tx) ExecPrepared(q string, args ...any) (sql.Result, error) {
	if st := tx.stmt(q); st != nil {
		return st.Exec(args...)
	}
	return tx.Exec(q, args...)
}

// QueryPrepared is Query with q kept prepared on SQLite's writer.
func (tx *Tx) QueryPrepared(q string, args ...any) (*sql.Rows, error) {
	if st := tx.stmt(q); st != nil {
		return st.Query(args...)
	}
	return tx.Query(q, args...)
}

// stmt is the transaction's handle on the prepared q, or nil (PostgreSQL,
// or q not prepared yet, in which case it is noted).
func (tx *Tx) stmt(q string) *sql.Stmt {
	if tx.db == nil || tx.Dialect != SQLite {
		return nil
	}
	p := &tx.db.prepared
	p.mu.Lock()
	st := p.stmts[q]
	if st == nil && len(p.stmts) < maxPrepared {
		if p.seen == nil {
			p.seen = map[string]int{}
		}
		p.seen[q]++
	}
	p.mu.Unlock()
	if st == nil {
		return nil
	}
	return tx.Stmt(st)
}

// prepareSeen prepares, outside any transaction, the texts run twice.
func (db *DB) prepareSeen(ctx context.Context) {
	p := &db.prepared
	p.mu.Lock()
	var todo []string
	for q, n := range p.seen {
		if n >= 2 && p.stmts[q] == nil && len(p.stmts)+len(todo) < maxPrepared {
			todo = append(todo, q)
		}
	}
	for _, q := range todo {
		delete(p.seen, q)
	}
	p.mu.Unlock()
	for _, q := range todo {
		st, err := db.write.PrepareContext(ctx, sqliteParams(q)) // "?" binds by position: see placeholder.go
		if err != nil {
			continue // it runs unprepared, as before
		}
		p.mu.Lock()
		if p.stmts == nil {
			p.stmts = map[string]*sql.Stmt{}
		}
		p.stmts[q] = st
		p.mu.Unlock()
	}
}

func (db *DB) closePrepared() {
	p := &db.prepared
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.stmts {
		st.Close()
	}
	p.stmts, p.seen = nil, nil
}

// Runs splits n rows into runs whose sizes are powers of two no larger
// than limit (itself a power of two), largest first: 100 rows are 64, 32
// and 4. A multi-row statement then takes at most a handful of shapes, so
// that its texts can be kept prepared.
func Runs(n, limit int) []int {
	var out []int
	for size := limit; n > 0 && size > 0; size /= 2 {
		for n >= size {
			out = append(out, size)
			n -= size
		}
	}
	return out
}

var valuesCache sync.Map // valuesKey -> string

type valuesKey struct {
	d          Dialect
	cols, rows int
}

// Values is the VALUES list of rows rows of cols parameters each, the
// statement's only parameters: "(?, ?), (?, ?)" on SQLite, "($1, $2), ($3,
// $4)" on PostgreSQL. SQLite finds a numbered parameter by walking the
// list of names, so binding the thousands of a batch by number cost as
// much as the insert; anonymous ones are bound by position. Each shape is
// built once.
func Values(d Dialect, cols, rows int) string {
	key := valuesKey{d, cols, rows}
	if v, ok := valuesCache.Load(key); ok {
		return v.(string)
	}
	var b strings.Builder
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			if d == SQLite {
				b.WriteByte('?')
			} else {
				fmt.Fprintf(&b, "$%d", r*cols+c+1)
			}
		}
		b.WriteByte(')')
	}
	v, _ := valuesCache.LoadOrStore(key, b.String())
	return v.(string)
}
