package storetest

import (
	"context"
	"testing"

	"github.com/mteja/mteja/internal/store"
)

// HoldTransaction begins a transaction on a session of its own, as a
// client that is not mteja (application name app), that writes nothing but
// is given a transaction id and then sits idle, holding VACUUM back. It
// returns the session's server process id and a func that ends the
// transaction (also called when the test ends). PostgreSQL only.
func HoldTransaction(t testing.TB, db *store.DB, app string) (pid int, end func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Write().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		conn.Close()
		t.Fatal(err)
	}
	// mteja's own sessions are ended after a minute idle in a transaction
	// (store.sessionDefaults); a client's are not.
	for _, q := range []string{`SET application_name = '` + app + `'`, `SET idle_in_transaction_session_timeout = 0`,
		`BEGIN`, `SELECT txid_current()`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			t.Fatal(err)
		}
	}
	done := false
	end = func() {
		if done {
			return
		}
		done = true
		if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
			t.Error(err)
		}
		conn.Close()
	}
	t.Cleanup(end)
	return pid, end
}
