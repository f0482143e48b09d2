package hub_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/hub"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// setup returns the database with a clock the test moves, 09:00 in
// Nairobi, and two hubs.
func setup(t *testing.T, db *store.DB) (*time.Time, hub.Hub, hub.Hub) {
	t.Helper()
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	ctx := context.Background()
	a, err := hub.Create(ctx, db, "Kisumu Central", "Kisumu")
	if err != nil {
		t.Fatal(err)
	}
	b, err := hub.Create(ctx, db, "Nakuru", "Nakuru")
	if err != nil {
		t.Fatal(err)
	}
	return &now, a, b
}

// Numbers run per hub and per day; the longest waiting is called first;
// only a called ticket of one's own hub is served; wait and service are
// timed.
func TestQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now, a, b := setup(t, db)
		tick := func(d time.Duration) { *now = now.Add(d) }

		if _, err := hub.CallNext(ctx, db, a.ID, "akinyi"); !errors.Is(err, hub.ErrQueueEmpty) {
			t.Errorf("call with nobody waiting: %v, want ErrQueueEmpty", err)
		}
		var labels []string
		for _, h := range []hub.Hub{a, a, b, a} {
			tk, err := hub.Issue(ctx, db, h.ID)
			if err != nil {
				t.Fatal(err)
			}
			labels = append(labels, tk.Label())
			tick(time.Minute)
		}
		if want := []string{"A-001", "A-002", "A-001", "A-003"}; !slices.Equal(labels, want) {
			t.Errorf("labels %v, want %v", labels, want)
		}
		tick(3 * time.Minute)
		first, err := hub.CallNext(ctx, db, a.ID, "akinyi")
		if err != nil || first.Label() != "A-001" || first.Waited() != 7*time.Minute || first.CalledBy != "akinyi" {
			t.Fatalf("first call: %s waited %s by %q, %v; want A-001 after 7m by akinyi", first.Label(), first.Waited(), first.CalledBy, err)
		}
		second, err := hub.CallNext(ctx, db, a.ID, "otieno")
		if err != nil || second.Label() != "A-002" {
			t.Fatalf("second call: %s, %v", second.Label(), err)
		}
		if _, err := hub.Done(ctx, db, b.ID, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another hub serves A-001: %v, want not found", err)
		}
		waiting, err := hub.Issue(ctx, db, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tk, err := hub.Done(ctx, db, a.ID, waiting.ID); err != nil || !tk.DoneAt.IsZero() {
			t.Errorf("a ticket never called marked served: %+v, %v", tk, err)
		}
		tick(4 * time.Minute)
		done, err := hub.Done(ctx, db, a.ID, first.ID)
		if err != nil || done.Served() != 4*time.Minute {
			t.Fatalf("served: %s, %v; want 4m", done.Served(), err)
		}
		again, _ := hub.Done(ctx, db, a.ID, first.ID)
		if !again.DoneAt.Equal(done.DoneAt) {
			t.Errorf("served twice moved its time: %s then %s", done.DoneAt, again.DoneAt)
		}
		q, err := hub.Today(ctx, db, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tk := range q {
			got = append(got, tk.Label())
		}
		if want := []string{"A-002", "A-003", "A-004"}; !slices.Equal(got, want) {
			t.Errorf("today's queue %v, want %v (being served first, then waiting)", got, want)
		}

		// A new day starts at A-001 again; the report is per day.
		tick(24 * time.Hour)
		tk, err := hub.Issue(ctx, db, a.ID)
		if err != nil || tk.Label() != "A-001" {
			t.Errorf("next day's first number %s, %v", tk.Label(), err)
		}
		rep, err := hub.Report(ctx, db, "2026-12-02")
		if err != nil {
			t.Fatal(err)
		}
		if len(rep) != 2 || rep[0].Hub.Name != "Kisumu Central" || rep[0].Issued != 4 || rep[0].Served != 1 ||
			rep[0].WaitP50 != 6*time.Minute || rep[0].WaitP90 != 7*time.Minute || rep[0].ServiceP50 != 4*time.Minute || rep[1].Issued != 1 || rep[1].Served != 0 {
			t.Errorf("report %+v", rep)
		}
		if _, err := hub.Report(ctx, db, "yesterday"); err == nil {
			t.Error("a report for a day that is no date")
		}
	})
}

func TestHubs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, a, _ := setup(t, db)
		if _, err := hub.Create(ctx, db, "kisumu central", ""); !errors.Is(err, hub.ErrTaken) {
			t.Errorf("a second hub of one name: %v", err)
		}
		if _, err := hub.Create(ctx, db, " x ", ""); !errors.Is(err, hub.ErrBadName) {
			t.Errorf("a one-letter name: %v", err)
		}
		if _, err := hub.Of(ctx, db, "u1"); !errors.Is(err, hub.ErrNoHub) {
			t.Errorf("a user of no hub: %v", err)
		}
		if err := hub.Attach(ctx, db, "u1", a.ID); err != nil {
			t.Fatal(err)
		}
		if h, err := hub.Of(ctx, db, "u1"); err != nil || h.ID != a.ID {
			t.Errorf("hub of u1: %+v, %v", h, err)
		}
		if h, err := hub.ByName(ctx, db, "KISUMU CENTRAL"); err != nil || h.ID != a.ID {
			t.Errorf("by name: %+v, %v", h, err)
		}
	})
}

func TestPercentile(t *testing.T) {
	for _, c := range []struct {
		in       []time.Duration
		p50, p90 time.Duration
	}{
		{nil, 0, 0},
		{[]time.Duration{5}, 5, 5},
		{[]time.Duration{4, 1, 3, 2}, 2, 4},
		{[]time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 9},
	} {
		if p50, p90 := hub.Percentile(c.in, 50), hub.Percentile(c.in, 90); p50 != c.p50 || p90 != c.p90 {
			t.Errorf("percentiles of %v: %d, %d; want %d, %d", c.in, p50, p90, c.p50, c.p90)
		}
	}
}
