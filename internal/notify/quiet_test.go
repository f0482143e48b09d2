package notify

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestQuietHours(t *testing.T) {
	eat := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, Zone)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	night, err := ParseQuietHours("21:00-07:00")
	if err != nil {
		t.Fatal(err)
	}
	lunch, err := ParseQuietHours("12:00-14:00")
	if err != nil {
		t.Fatal(err)
	}
	off, _ := ParseQuietHours("off")
	for _, c := range []struct {
		q       QuietHours
		at, out string
	}{
		{night, "2026-12-02 20:59", "2026-12-02 20:59"},
		{night, "2026-12-02 21:00", "2026-12-03 07:00"},
		{night, "2026-12-02 23:30", "2026-12-03 07:00"},
		{night, "2026-12-03 00:10", "2026-12-03 07:00"},
		{night, "2026-12-03 06:59", "2026-12-03 07:00"},
		{night, "2026-12-03 07:00", "2026-12-03 07:00"},
		{night, "2026-12-31 22:00", "2027-01-01 07:00"},
		{lunch, "2026-12-02 11:59", "2026-12-02 11:59"},
		{lunch, "2026-12-02 12:00", "2026-12-02 14:00"},
		{lunch, "2026-12-02 14:00", "2026-12-02 14:00"},
		{off, "2026-12-02 23:00", "2026-12-02 23:00"},
	} {
		if got := c.q.Release(eat(c.at)); !got.Equal(eat(c.out)) {
			t.Errorf("%s: Release(%s) = %s, want %s", c.q, c.at, got.In(Zone).Format("2006-01-02 15:04"), c.out)
		}
	}
	// UTC in, UTC out: 19:30 UTC is 22:30 EAT.
	u := time.Date(2026, 12, 2, 19, 30, 0, 0, time.UTC)
	if got, want := night.Release(u), time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("Release(%s) = %s, want %s", u, got, want)
	}
	for _, bad := range []string{"21-07", "25:00-07:00", "07:00-07:00", "21:00"} {
		if _, err := ParseQuietHours(bad); err == nil {
			t.Errorf("ParseQuietHours(%q) = nil error", bad)
		}
	}
	if d, _ := ParseQuietHours(""); d != DefaultQuietHours {
		t.Errorf(`ParseQuietHours("") = %v, want the default`, d)
	}
}

// A message held until NotBefore is not sent before then, and is sent
// once its time comes; one queued beside it without a hold goes at once.
func TestNotBeforeHoldsAMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newTestClock(db)
		morning := DefaultQuietHours.Release(c.Now())
		if !morning.After(c.Now()) {
			t.Fatalf("the test clock %s should be in quiet hours", c.Now())
		}
		held := Message{Recipient: "254708374149", Lane: LaneBulk, Template: "etr", Body: "held", Ref: "held", NotBefore: morning}
		now := Message{Recipient: "254708374150", Lane: LaneBulk, Template: "etr", Body: "now", Ref: "now"}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return Enqueue(tx, held, now) }); err != nil {
			t.Fatal(err)
		}
		sink := &Sink{}
		w := &Worker{DB: db, Routes: []Route{{Name: "sink", Sender: sink}}, Batch: 10}
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("RunOnce at night = %d, %v; want only the unheld message", n, err)
		}
		if got := sink.Messages(); len(got) != 1 || got[0].To != "254708374150" {
			t.Fatalf("sent at night: %+v", got)
		}
		c.set(morning.Add(-time.Second))
		if n, err := w.RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("RunOnce a second before the hold ends = %d, %v", n, err)
		}
		c.set(morning)
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("RunOnce when the hold ends = %d, %v", n, err)
		}
		msgs, err := ByRef(ctx, db, "held")
		if err != nil || len(msgs) != 1 || msgs[0].State != StateSubmitted {
			t.Fatalf("held message after its time = %+v, %v", msgs, err)
		}
	})
}

type testClock struct{ t time.Time }

func newTestClock(db *store.DB) *testClock {
	c := &testClock{t: time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)} // 22:00 EAT
	db.Now = func() time.Time { return c.t }
	return c
}

func (c *testClock) Now() time.Time  { return c.t }
func (c *testClock) set(t time.Time) { c.t = t.UTC() }
