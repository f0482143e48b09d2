package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A transaction left open in another session is found, named and aged,
// and is gone from the list once it ends. Only PostgreSQL keeps such
// transactions; SQLite reports none.
func TestHoldersFindsTransactionLeftOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if db.Dialect != store.Postgres {
			if h, err := db.Holders(ctx, 0); err != nil || h != nil {
				t.Fatalf("Holders on SQLite = %v, %v; want none", h, err)
			}
			return
		}
		pid, end := storetest.HoldTransaction(t, db, "report-tool")
		time.Sleep(300 * time.Millisecond)

		find := func(olderThan time.Duration) *store.Holder {
			t.Helper()
			hs, err := db.Holders(ctx, olderThan)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				if h.PID == pid {
					return &h
				}
			}
			return nil
		}
		h := find(200 * time.Millisecond)
		if h == nil {
			t.Fatalf("the session open for 300 ms is not among the holders older than 200 ms")
		}
		if h.Kind != "session" || h.Name != "report-tool" || h.State != "idle in transaction" ||
			h.Query != "SELECT txid_current()" || h.Age < 200*time.Millisecond || h.Age > time.Minute ||
			time.Since(h.Since) < 200*time.Millisecond {
			t.Errorf("holder = %+v; want the report tool's session, idle in transaction after taking an id, 300 ms old", *h)
		}
		if h := find(time.Hour); h != nil {
			t.Errorf("a 300 ms transaction is among the holders older than an hour: %+v", *h)
		}
		end()
		if h := find(0); h != nil {
			t.Errorf("the session still holds after its transaction ended: %+v", *h)
		}
	})
}

// mteja's own sessions name themselves, and the server ends one that a
// stuck caller leaves idle inside a transaction, unless the DSN says
// otherwise.
func TestPostgresSessionDefaults(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	db := storetest.OpenDSN(t, dsn)
	ctx := context.Background()
	var name, idle string
	if err := db.Read().QueryRowContext(ctx, `SELECT current_setting('application_name'), current_setting('idle_in_transaction_session_timeout')`).Scan(&name, &idle); err != nil {
		t.Fatal(err)
	}
	if name != "mteja" || idle != "1min" {
		t.Errorf("session application_name %q, idle_in_transaction_session_timeout %q; want mteja, 1min", name, idle)
	}
	own := storetest.OpenDSN(t, dsn+"&application_name=node-7&idle_in_transaction_session_timeout=5min")
	if err := own.Read().QueryRowContext(ctx, `SELECT current_setting('application_name'), current_setting('idle_in_transaction_session_timeout')`).Scan(&name, &idle); err != nil {
		t.Fatal(err)
	}
	if name != "node-7" || idle != "5min" {
		t.Errorf("with the DSN's own settings: %q, %q; want node-7, 5min", name, idle)
	}
}

// A PostgreSQL DSN that is not a URL is refused before any connection,
// saying what is wrong, without echoing the DSN (it carries the password).
func TestOpenRejectsMalformedPostgresURL(t *testing.T) {
	_, err := store.Open(context.Background(), "postgres://mteja:s3cret%zz@db:5432/mteja")
	if err == nil || !strings.Contains(err.Error(), "not a valid URL") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("Open with a malformed URL = %v; want a clear error that does not show the password", err)
	}
}
