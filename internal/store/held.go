package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Holder is something that keeps PostgreSQL from removing the rows that
// updates and deletes left dead: a session with a transaction open, or a
// prepared transaction nobody committed. VACUUM may remove only what no
// open transaction could still see, so while one stays open every queue's
// dead entries pile up (a vended payment's, a sent message's) and every
// index grows with them, however often VACUUM runs.
type Holder struct {
	Kind   string // "session" or "prepared"
	PID    int    // the session's server process; 0 for a prepared transaction
	Name   string // the session's application_name, or the prepared transaction's id
	User   string
	Client string // the session's client address; "" over a local socket
	State  string // "idle in transaction", "active", ...; "prepared"
	Query  string // the session's latest statement, cut to 200 characters
	Since  time.Time
	Age    time.Duration // how long it has been open, by the server's clock
}

// Holders returns the transactions in this database open for longer than
// olderThan that hold back VACUUM, oldest first (none on SQLite, whose
// readers hold nothing back that a checkpoint cannot wait out). This
// session is left out. The server shows a role that is neither a
// superuser nor a member of pg_read_all_stats only its own sessions'
// transactions: grant the role pg_read_all_stats for the check to see
// every client's.
func (db *DB) Holders(ctx context.Context, olderThan time.Duration) ([]Holder, error) {
	if db.Dialect != Postgres {
		return nil, nil
	}
	// A transaction holds rows back once it has a snapshot (backend_xmin)
	// or has written (backend_xid): in READ COMMITTED an idle transaction
	// that only read holds nothing between statements, one that wrote
	// holds back everything newer than its own write.
	rows, err := db.read.QueryContext(ctx, `
		SELECT 'session', pid, COALESCE(application_name, ''), COALESCE(usename, ''), COALESCE(host(client_addr), ''),
			COALESCE(state, ''), left(COALESCE(query, ''), 200), xact_start, EXTRACT(EPOCH FROM now() - xact_start)
		FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()
			AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)
			AND xact_start < now() - make_interval(secs => $1)
		UNION ALL
		SELECT 'prepared', 0, gid, owner, '', 'prepared', '', prepared, EXTRACT(EPOCH FROM now() - prepared)
		FROM pg_prepared_xacts
		WHERE database = current_database() AND prepared < now() - make_interval(secs => $1)
		ORDER BY 8`, olderThan.Seconds())
	if err != nil {
		return nil, fmt.Errorf("held transactions: %w", err)
	}
	defer rows.Close()
	var out []Holder
	for rows.Next() {
		var h Holder
		var since sql.NullTime
		var age float64
		if err := rows.Scan(&h.Kind, &h.PID, &h.Name, &h.User, &h.Client, &h.State, &h.Query, &since, &age); err != nil {
			return nil, fmt.Errorf("held transactions: %w", err)
		}
		h.Since, h.Age = since.Time.UTC(), time.Duration(age*float64(time.Second))
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("held transactions: %w", err)
	}
	return out, nil
}
