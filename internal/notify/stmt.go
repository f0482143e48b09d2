package notify

import (
	"database/sql"

	"github.com/mteja/mteja/internal/store"
)

// stmts prepares each statement once per transaction. A batch runs the
// same UPDATE for each of its messages; parsing it every time cost a
// quarter of the worker's CPU on SQLite.
type stmts struct {
	tx *store.Tx
	m  map[string]*sql.Stmt
}

func newStmts(tx *store.Tx) *stmts { return &stmts{tx: tx, m: map[string]*sql.Stmt{}} }

func (s *stmts) get(q string) (*sql.Stmt, error) {
	if st, ok := s.m[q]; ok {
		return st, nil
	}
	st, err := s.tx.Prepare(q)
	if err != nil {
		return nil, err
	}
	s.m[q] = st
	return st, nil
}

func (s *stmts) Exec(q string, args ...any) (sql.Result, error) {
	st, err := s.get(q)
	if err != nil {
		return nil, err
	}
	return st.Exec(args...)
}

func (s *stmts) Query(q string, args ...any) (*sql.Rows, error) {
	st, err := s.get(q)
	if err != nil {
		return nil, err
	}
	return st.Query(args...)
}

func (s *stmts) QueryRow(q string, args ...any) *sql.Row {
	st, err := s.get(q)
	if err != nil {
		// A Row carrying the error: Scan reports it.
		return s.tx.QueryRow(q, args...)
	}
	return st.QueryRow(args...)
}

// Close closes the prepared statements.
func (s *stmts) Close() {
	for _, st := range s.m {
		st.Close()
	}
}
