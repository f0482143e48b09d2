package outage_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/outage"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// due returns when each outage message to phone may go, by template.
func due(t *testing.T, db *store.DB, phone string) map[string]time.Time {
	t.Helper()
	rows, err := db.Read().Query(`SELECT template, next_attempt_at FROM messages WHERE recipient = $1`, phone)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var tpl string
		var at int64
		if err := rows.Scan(&tpl, &at); err != nil {
			t.Fatal(err)
		}
		out[tpl] = store.Time(at)
	}
	return out
}

// In quiet hours the first notice of an unplanned outage and its
// restoration go at once, while a new restoration estimate waits for the
// end of quiet hours.
func TestQuietHours(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC) // 23:00 EAT
		db.Now = func() time.Time { return now }
		network(t, db, map[string][]place{alice: {{"01000000001", "Kibera", "F1", "T1"}}}, nil)
		s := &outage.Sweeper{DB: db, Quiet: notify.DefaultQuietHours}
		o, err := outage.Declare(ctx, db, outage.Outage{Level: outage.LevelTransformer, Place: "T1"}, "staff:amina")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if err := outage.SetETR(ctx, db, o.ID, now.Add(4*time.Hour), "staff:amina"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if err := outage.Restore(ctx, db, o.ID, "staff:amina"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		got := due(t, db, alice)
		morning := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC) // 07:00 EAT
		for tpl, want := range map[string]time.Time{
			"outage_started":  time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC),
			"outage_etr":      morning,
			"outage_restored": time.Date(2026, 12, 2, 22, 0, 0, 0, time.UTC),
		} {
			if !got[tpl].Equal(want) {
				t.Errorf("%s may go at %v; want %v", tpl, got[tpl], want)
			}
		}
	})
}

// Planned work is announced 48 h and 2 h ahead, each notice queued only
// when it is due (the bulk lane's time to live runs from queueing), and
// held past quiet hours.
func TestPlannedNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) // 12:00 EAT
		db.Now = func() time.Time { return now }
		network(t, db, map[string][]place{alice: {{"01000000001", "Kibera", "F1", "T1"}}, bob: {{"01000000002", "Kibera", "F2", "T2"}}}, nil)
		s := &outage.Sweeper{DB: db, Quiet: notify.DefaultQuietHours}
		starts := time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC) // 07:00 EAT
		if _, err := outage.Declare(ctx, db, outage.Outage{Level: outage.LevelFeeder, Place: "F1", Kind: outage.KindPlanned, StartsAt: starts, ETR: starts.Add(6 * time.Hour)}, "staff:amina"); err != nil {
			t.Fatal(err)
		}
		step := func(at time.Time, want map[string]int) {
			t.Helper()
			now = at
			if _, err := s.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
			got := notices(t, db)[alice]
			for tpl, n := range want {
				if got[tpl] != n {
					t.Errorf("at %v: %d %s; want %d", at, got[tpl], tpl, n)
				}
			}
			if len(notices(t, db)[bob]) > 0 {
				t.Errorf("bob, on another feeder, was told")
			}
		}
		step(now, map[string]int{"outage_ahead48": 0, "outage_ahead2": 0})
		step(starts.Add(-48*time.Hour-time.Minute), map[string]int{"outage_ahead48": 0})
		step(starts.Add(-48*time.Hour), map[string]int{"outage_ahead48": 1, "outage_ahead2": 0})
		step(starts.Add(-2*time.Hour), map[string]int{"outage_ahead48": 1, "outage_ahead2": 1})
		step(starts.Add(time.Hour), map[string]int{"outage_ahead48": 1, "outage_ahead2": 1, "outage_started": 0})
		var body string
		if err := db.Read().QueryRow(`SELECT body FROM messages WHERE recipient = $1 AND template = 'outage_ahead48'`, alice).Scan(&body); err != nil {
			t.Fatal(err)
		}
		if want := "Power: planned work in Kibera (feeder F1). Power off 06/12 07:00 to 06/12 13:00."; body != want {
			t.Errorf("48 h notice %q; want %q", body, want)
		}
		// 2 h ahead of 07:00 is 05:00 EAT, in quiet hours: it waits for
		// their end; the 48 h one, at 07:00, goes at once.
		if got := due(t, db, alice)["outage_ahead2"]; !got.Equal(starts) {
			t.Errorf("2 h notice may go at %v; want %v", got, starts)
		}
		if got := due(t, db, alice)["outage_ahead48"]; !got.Equal(starts.Add(-48 * time.Hour)) {
			t.Errorf("48 h notice may go at %v; want %v", got, starts.Add(-48*time.Hour))
		}
	})
}
