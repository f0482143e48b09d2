package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A client's transaction left open on PostgreSQL past HeldAfter opens a
// database incident that names it (never by its statement) and says how to
// end it; the incident
// closes when no transaction is that old (checked with an hour's limit:
// other tests sharing the server may hold a transaction of their own for
// a moment; store's TestHoldersFindsTransactionLeftOpen shows an ended one
// is no longer counted). SQLite has no such incident.
func TestWatchdogIncidentWhileTransactionHeld(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		wd := &notify.Watchdog{DB: db, HeldAfter: 2 * time.Second}
		if db.Dialect != store.Postgres {
			c, err := wd.RunOnce(ctx)
			if err != nil || slices.Contains(c.Opened, notify.KindDatabaseHeld) {
				t.Fatalf("SQLite watchdog round = %+v, %v; want no database incident", c, err)
			}
			return
		}
		pid, end := storetest.HoldTransaction(t, db, "report-tool")
		defer wd.Release()
		c, err := wd.RunOnce(ctx)
		if err != nil || slices.Contains(c.Opened, notify.KindDatabaseHeld) {
			t.Fatalf("round with the transaction just begun = %+v, %v; want no database incident yet", c, err)
		}
		time.Sleep(2500 * time.Millisecond)
		if c, err = wd.RunOnce(ctx); err != nil || !slices.Contains(c.Opened, notify.KindDatabaseHeld) {
			t.Fatalf("round with the transaction open 2.5 s = %+v, %v; want the database incident opened", c, err)
		}
		inc := openIncident(t, db, notify.KindDatabaseHeld)
		for _, want := range []string{"application report-tool", "idle in transaction",
			fmt.Sprintf("pg_terminate_backend(%d)", pid), "VACUUM"} {
			if !strings.Contains(inc.Detail, want) {
				t.Errorf("incident detail %q does not say %q", inc.Detail, want)
			}
		}
		// Every staff member reads incidents; a client's statement may
		// carry anything, so it stays in the node's log.
		if strings.Contains(inc.Detail, "txid_current") {
			t.Errorf("incident detail %q shows the client's statement", inc.Detail)
		}
		if c, err = wd.RunOnce(ctx); err != nil || slices.Contains(c.Opened, notify.KindDatabaseHeld) {
			t.Errorf("next round = %+v, %v; want the open incident kept, not opened again", c, err)
		}

		end()
		wd.Release()
		later := &notify.Watchdog{DB: db, HeldAfter: time.Hour}
		defer later.Release()
		if c, err = later.RunOnce(ctx); err != nil || !slices.Contains(c.Closed, notify.KindDatabaseHeld) {
			t.Fatalf("round after the transaction ended = %+v, %v; want the database incident closed", c, err)
		}
		if inc := openIncident(t, db, notify.KindDatabaseHeld); inc.ID != "" {
			t.Errorf("database incident still open: %+v", inc)
		}
	})
}

func openIncident(t *testing.T, db *store.DB, kind string) notify.Incident {
	t.Helper()
	open, err := notify.OpenIncidents(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range open {
		if i.Kind == kind {
			return i
		}
	}
	return notify.Incident{}
}
