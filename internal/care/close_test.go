package care_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestCloseFaultRecordsWhenAndWho(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		opened := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return opened }
		f, err := care.ReportFault(ctx, db, "254708374149", "54500320905", care.FaultNoPower, "")
		if err != nil {
			t.Fatal(err)
		}
		closed := opened.Add(90 * time.Minute)
		db.Now = func() time.Time { return closed }
		if err := care.CloseFault(ctx, db, f.ID, "care:wanjiru", "fuse replaced"); err != nil {
			t.Fatal(err)
		}
		var state, actor string
		var at int64
		if err := db.Read().QueryRowContext(ctx, `SELECT f.state, f.closed_at, a.actor FROM faults f JOIN audit_events a ON a.subject = f.id AND a.action = 'fault.close' WHERE f.id = $1`, f.ID).
			Scan(&state, &at, &actor); err != nil {
			t.Fatal(err)
		}
		if state != "closed" || !store.Time(at).Equal(closed) || actor != "care:wanjiru" {
			t.Errorf("closed fault: state %s at %s by %s; want closed at %s by care:wanjiru", state, store.Time(at), actor, closed)
		}

		db.Now = func() time.Time { return closed.Add(time.Hour) }
		if err := care.CloseFault(ctx, db, f.ID, "care:otieno", ""); !errors.Is(err, care.ErrClosed) {
			t.Errorf("closing again: %v; want ErrClosed", err)
		}
		if err := care.CloseFault(ctx, db, "no-such-fault", "care:otieno", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("closing an unknown fault: %v; want ErrNotFound", err)
		}
		var n int
		db.Read().QueryRowContext(ctx, `SELECT count(*) FROM faults WHERE closed_at = $1`, store.Micros(closed)).Scan(&n)
		if n != 1 {
			t.Errorf("the second close moved closed_at")
		}
	})
}
