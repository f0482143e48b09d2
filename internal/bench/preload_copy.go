package bench

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/mteja/mteja/internal/store"
)

// copyPostgres writes the rows with COPY, in one transaction on one
// connection of the write pool: PostgreSQL takes COPY's rows several times
// faster than multi-row INSERTs, which it must parse and plan.
func (r *preloadRows) copyPostgres(ctx context.Context, db *store.DB) error {
	conn, err := db.Write().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	postings, err := r.postingRows(store.Micros(db.Now()))
	if err != nil {
		return err
	}
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("preload: the PostgreSQL driver is not pgx (%T)", dc)
		}
		return pgx.BeginFunc(ctx, c.Conn(), func(tx pgx.Tx) error {
			for _, t := range []struct {
				table preloadTable
				rows  []any
			}{{preloadPayments, r.pays}, {preloadVendsTable, r.vends}, {preloadTokens, r.toks}, {preloadMessages, r.msgs}, {preloadPostings, postings}} {
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table.name}, t.table.cols, flatRows(t.rows, len(t.table.cols))); err != nil {
					return fmt.Errorf("preload %s: %w", t.table.name, err)
				}
			}
			return nil
		})
	})
}

// postingRows flattens the ledger transactions as ledger.Post writes them:
// each validated, zero postings left out.
func (r *preloadRows) postingRows(now int64) ([]any, error) {
	var out []any
	for _, t := range r.txns {
		if err := t.Validate(); err != nil {
			return nil, err
		}
		for _, p := range t.Postings {
			if p.Amount != 0 {
				out = append(out, t.ID, t.Kind, t.Ref, p.Account, int64(p.Amount), now)
			}
		}
	}
	return out, nil
}

// flatRows serves rows flattened a value a column to CopyFrom.
func flatRows(args []any, cols int) pgx.CopyFromSource {
	rows := make([][]any, 0, len(args)/cols)
	for len(args) >= cols {
		rows = append(rows, args[:cols:cols])
		args = args[cols:]
	}
	return pgx.CopyFromRows(rows)
}
