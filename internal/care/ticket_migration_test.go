package care_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// Faults reported before tickets are tickets after the migration: each
// keeps its id, reference, phone, meter, note, state and times; its kind
// becomes a category; one raised by staff keeps who raised it and comes
// from the console; and each has its timeline. The faults view still reads
// them as they were.
func TestFaultsBecomeTickets(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.DSN(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateTo(ctx, 17); err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
			faults := []struct {
				id, ref, msisdn, drn, kind, note, state string
				closed                                  bool
			}{
				{"f1", "F-AAAAAA", "254708374149", "54500320905", "no_power", "since 6am", "open", false},
				{"f2", "F-CCCCCC", "254708374149", "54500320905", "token_rejected", "", "closed", true},
				{"f3", "F-DDDDDD", "", "04123456784", "meter", "walk-in", "open", false},
				{"f4", "F-EEEEEE", "254711000222", "", "other", "", "open", false},
			}
			for i, f := range faults {
				created := store.Micros(at.Add(time.Duration(i) * time.Hour))
				var closed any
				if f.closed {
					closed = created + 3600e6
				}
				if _, err := db.Write().ExecContext(ctx, `INSERT INTO faults (id, ref, msisdn, meter_drn, kind, note, state, created_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
					f.id, f.ref, f.msisdn, f.drn, f.kind, f.note, f.state, created, closed); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Write().ExecContext(ctx, `INSERT INTO audit_events (id, at, actor, action, subject, detail) VALUES ('a1', 1, 'staff:wanjiru', 'fault.report', 'f3', '')`); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			want := []struct {
				category, state, channel, by string
			}{
				{"outage", "open", "unknown", ""},
				{"token_rejected", "closed", "unknown", ""},
				{"meter_fault", "open", "console", "staff:wanjiru"},
				{"other", "open", "unknown", ""},
			}
			for i, f := range faults {
				tk, err := care.GetTicket(ctx, db.Read(), f.ref)
				if err != nil {
					t.Fatalf("fault %s: %v", f.ref, err)
				}
				w := want[i]
				created := at.Add(time.Duration(i) * time.Hour)
				if tk.ID != f.id || tk.MSISDN != f.msisdn || tk.MeterDRN != f.drn || tk.Note != f.note || tk.Category != w.category ||
					tk.State != w.state || tk.Channel != w.channel || tk.CreatedBy != w.by || !tk.CreatedAt.Equal(created) {
					t.Errorf("fault %s became %+v", f.ref, tk)
				}
				if f.closed != !tk.ClosedAt.IsZero() || f.closed != !tk.ResolvedAt.IsZero() || (f.closed && !tk.ClosedAt.Equal(created.Add(time.Hour))) {
					t.Errorf("fault %s: closed %v, resolved %v", f.ref, tk.ClosedAt, tk.ResolvedAt)
				}
				es, err := care.Events(ctx, db.Read(), tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				if n := 1 + map[bool]int{true: 1}[f.closed]; len(es) != n || es[0].Kind != care.EventOpened || es[0].Body != f.note {
					t.Errorf("fault %s timeline %+v; want %d events, opened first", f.ref, es, n)
				}
			}
			var kinds, states string
			rows, err := db.Read().QueryContext(ctx, `SELECT kind, state FROM faults ORDER BY created_at`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var k, s string
				rows.Scan(&k, &s)
				kinds, states = kinds+k+" ", states+s+" "
			}
			if kinds != "no_power token_rejected meter other " || states != "open closed open open " {
				t.Errorf("faults view: kinds %q, states %q", kinds, states)
			}
		})
	}
}
