package care_test

import (
	"context"
	"errors"
	"strings"
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

// Staff raise a fault for a customer with an audit event, a repeat within
// minutes is the same fault, audited as a repeat; the queue holds the open
// faults, oldest first, until closed.
func TestRaiseFault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return at }
		f, err := care.RaiseFault(ctx, db, "254708374149", "54500320905", care.FaultTokenRejected, "says 'reject' on the meter", "staff:wanjiru")
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return at.Add(2 * time.Minute) }
		again, err := care.RaiseFault(ctx, db, "254708374149", "54500320905", care.FaultTokenRejected, "", "staff:otieno")
		if err != nil || again.ID != f.ID {
			t.Fatalf("a repeat = %+v, %v; want the first report %s", again, err, f.Ref)
		}
		other, err := care.RaiseFault(ctx, db, "", "04123456784", care.FaultNoPower, "", "staff:wanjiru")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Read().QueryContext(ctx, `SELECT actor, detail FROM audit_events WHERE action = 'fault.report' ORDER BY at`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var actor, detail string
			rows.Scan(&actor, &detail)
			got = append(got, actor+" "+detail)
		}
		rows.Close()
		want := []string{
			"staff:wanjiru " + f.Ref + " token_rejected, meter 54500320905, phone 2547*****149: says 'reject' on the meter",
			"staff:otieno " + f.Ref + " token_rejected, meter 54500320905, phone 2547*****149, a repeat of the report made 2m0s before",
			"staff:wanjiru " + other.Ref + " no_power, meter 04123456784, no phone",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if _, err := care.RaiseFault(ctx, db, "", "04123456784", "flood", "", "staff:wanjiru"); err == nil {
			t.Errorf("a fault of no known kind was raised")
		}

		open, err := care.OpenFaults(ctx, db, 10)
		if err != nil || len(open) != 2 || open[0].ID != f.ID || open[1].ID != other.ID {
			t.Fatalf("open faults = %+v, %v; want both, oldest first", open, err)
		}
		if err := care.CloseFault(ctx, db, f.ID, "staff:wanjiru", "token re-entered"); err != nil {
			t.Fatal(err)
		}
		if open, _ := care.OpenFaults(ctx, db, 10); len(open) != 1 || open[0].ID != other.ID {
			t.Errorf("open faults after one closed = %+v", open)
		}
	})
}
