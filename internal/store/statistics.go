package store

import (
	"context"
	"fmt"
)

// Analyze refreshes the planner's statistics of the tables that changed
// most since they were last analysed, and returns their names. A table is
// stale past PostgreSQL's own autovacuum threshold: 50 rows plus a tenth
// of its rows modified since its last ANALYZE. Where autovacuum runs (the
// default), it has usually got there first and Analyze finds nothing to
// do; where it is off, or falls behind a table that grows by thousands of
// rows a second (payments, vends, messages, postings), the planner would
// otherwise keep the row counts of an empty table and choose sequential
// scans, and throughput collapses as the tables grow. Several nodes may
// run it at once: ANALYZE of one table by two sessions is harmless.
//
// On SQLite it does nothing: its planner reads no statistics unless asked
// for by ANALYZE, and the queries of Mteja are index lookups it plans
// without them.
func (db *DB) Analyze(ctx context.Context) ([]string, error) {
	if db.Dialect != Postgres {
		return nil, nil
	}
	rows, err := db.Read().QueryContext(ctx, `SELECT quote_ident(relname) FROM pg_stat_user_tables
		WHERE schemaname = current_schema() AND n_mod_since_analyze > 50 + 0.1 * GREATEST(n_live_tup, 0)
		ORDER BY n_mod_since_analyze DESC LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("statistics: find stale tables: %w", err)
	}
	var stale []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, fmt.Errorf("statistics: %w", err)
		}
		stale = append(stale, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	for _, t := range stale {
		if _, err := db.Write().ExecContext(ctx, `ANALYZE `+t); err != nil {
			return stale, fmt.Errorf("statistics: analyze %s: %w", t, err)
		}
	}
	return stale, nil
}
