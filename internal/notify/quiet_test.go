package notify

import (
	"testing"
	"time"
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
