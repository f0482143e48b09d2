package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
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
	stale, err := Strings(ctx, db.Read(), `SELECT quote_ident(relname) FROM pg_stat_user_tables
		WHERE schemaname = current_schema() AND `+staleStatistics+`
		ORDER BY n_mod_since_analyze DESC LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("statistics: find stale tables: %w", err)
	}
	var done []string
	for _, t := range stale {
		ok, err := db.analyze(ctx, t)
		if err != nil {
			return done, err
		}
		if ok {
			done = append(done, t)
		}
	}
	return done, nil
}

// staleStatistics is true of a pg_stat_user_tables row whose table needs
// an ANALYZE: autovacuum's own threshold, and for a table of 10,000 rows or
// more no sooner than a minute after the last (autovacuum's own pace: it
// wakes once a minute). Checked every ten seconds, a table growing by
// thousands of rows a second was always a tenth larger than at its last
// ANALYZE, and the ANALYZEs of payments, vends, messages, tokens, meters
// and postings (each about a second, for the rows it samples) took a
// quarter of the database's time in a 100,000-payment run. A small table
// is cheap to sample and is where plans go wrong: it keeps the ten-second
// pace, and so does one that has more than doubled since its last ANALYZE
// (a fresh table filling at a peak): with the statistics of its first few
// thousand rows, when nearly every message was still unsent, the batched
// UPDATE of 64 delivery receipts by provider id took 26 ms instead of 4.
const staleStatistics = `n_mod_since_analyze > 50 + 0.1 * GREATEST(n_live_tup, 0)
	AND (n_live_tup < 10000 OR n_live_tup > 2 * (SELECT c.reltuples FROM pg_class c WHERE c.oid = relid)
		OR COALESCE(GREATEST(last_analyze, last_autoanalyze), '-infinity') < now() - interval '1 minute')`

// analyze runs ANALYZE t unless another node holds it or has just done
// it: three nodes analysing the same table at once tripled the work
// (measured: ANALYZE took a seventh of the database's time in a run).
// Nor does it wait long behind a VACUUM of t (the two take the same lock):
// a node's ANALYZE of messages waited 12.6 s for another's VACUUM, holding
// a connection, with every other table's statistics waiting behind it.
// The table is still stale at the next look.
func (db *DB) analyze(ctx context.Context, t string) (bool, error) {
	done := false
	err := db.InTx(ctx, func(tx *Tx) error {
		var got, stale bool
		if err := tx.QueryRow(`SELECT pg_try_advisory_xact_lock(hashtext('mteja.analyze.' || current_schema() || '.' || $1))`, t).Scan(&got); err != nil || !got {
			return err
		}
		// Statistics views are read afresh in each transaction: another
		// node's ANALYZE, committed since, shows here.
		if err := tx.QueryRow(`SELECT `+staleStatistics+` FROM pg_stat_user_tables
			WHERE schemaname = current_schema() AND quote_ident(relname) = $1`, t).Scan(&stale); err != nil || !stale {
			return err
		}
		if _, err := tx.Exec(`SET LOCAL lock_timeout = '1s'`); err != nil {
			return err
		}
		if _, err := tx.Exec(`ANALYZE ` + t); err != nil {
			return err
		}
		done = true
		return nil
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available: a VACUUM holds t
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("statistics: analyze %s: %w", t, err)
	}
	return done, nil
}

// Vacuum does autovacuum's work where it is off (for the server, or for a
// table): it vacuums the tables with more dead rows than autovacuum's own
// threshold (50 plus a fifth of the live rows), paced as autovacuum is
// (vacuum_cost_delay 2 ms), and returns their names. Where autovacuum
// runs it does nothing.
//
// A vend or message claim walks its queue's partial index from the oldest
// entry; every payment vended and every message sent leaves a dead entry
// at that end, which only VACUUM removes. Without it each claim stepped
// over all the run's earlier rows, and claims slowed as the run went on.
func (db *DB) Vacuum(ctx context.Context) ([]string, error) {
	if db.Dialect != Postgres {
		return nil, nil
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("vacuum: %w", err)
	}
	defer conn.Close()
	todo, err := Strings(ctx, conn, `SELECT quote_ident(s.relname) FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
		WHERE s.schemaname = current_schema() AND s.n_dead_tup > 50 + 0.2 * GREATEST(s.n_live_tup, 0)
			AND (current_setting('autovacuum') = 'off' OR 'autovacuum_enabled=false' = ANY(COALESCE(c.reloptions, '{}')))
		ORDER BY s.n_dead_tup DESC LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("vacuum: find tables: %w", err)
	}
	if len(todo) == 0 {
		return nil, nil
	}
	if _, err := conn.ExecContext(ctx, `SET vacuum_cost_delay = 2`); err != nil {
		return nil, fmt.Errorf("vacuum: %w", err)
	}
	var done []string
	for _, t := range todo {
		const key = `hashtext('mteja.vacuum.' || current_schema() || '.' || $1)`
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+key+`)`, t).Scan(&got); err != nil {
			return done, fmt.Errorf("vacuum %s: %w", t, err)
		}
		if !got {
			continue // another node is at it
		}
		_, err := conn.ExecContext(ctx, `VACUUM `+t)
		if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`, t); uerr != nil {
			// A pooled session must not keep the lock: drop the session.
			conn.Raw(func(any) error { return driver.ErrBadConn })
			return done, fmt.Errorf("vacuum %s: unlock: %w", t, uerr)
		}
		if err != nil {
			return done, fmt.Errorf("vacuum %s: %w", t, err)
		}
		done = append(done, t)
	}
	return done, nil
}
