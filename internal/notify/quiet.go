package notify

import (
	"fmt"
	"strings"
	"time"
)

// QuietHours is the nightly window in which messages that can wait (outage
// updates that are not urgent, reminders, notices of a change to come) are
// held, to go out when it ends. A token, a login code or an answer to
// something the customer just asked is never held: the customer is awake
// and waiting for it.
//
// The window is in East Africa Time, which keeps no summer time, so a
// fixed zone is exact and needs no time zone database on the machine.
type QuietHours struct {
	From, To time.Duration // since local midnight; From > To spans midnight
	Off      bool
}

// Zone is the local time of quiet hours.
var Zone = time.FixedZone("EAT", 3*60*60)

// DefaultQuietHours is 21:00 to 07:00 EAT.
var DefaultQuietHours = QuietHours{From: 21 * time.Hour, To: 7 * time.Hour}

// ParseQuietHours reads "HH:MM-HH:MM" (EAT), or "off" for none; "" is the
// default window.
func ParseQuietHours(s string) (QuietHours, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return DefaultQuietHours, nil
	case "off", "none":
		return QuietHours{Off: true}, nil
	}
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM in East Africa Time (21:00-07:00) or off", s)
	}
	f, err := clock(from)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: %w", s, err)
	}
	t, err := clock(to)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: %w", s, err)
	}
	if f == t {
		return QuietHours{}, fmt.Errorf("quiet hours %q: the window starts and ends at the same time (say off for none)", s)
	}
	return QuietHours{From: f, To: t}, nil
}

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", strings.TrimSpace(s))
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// String is the window as ParseQuietHours reads it.
func (q QuietHours) String() string {
	if q.Off {
		return "off"
	}
	hm := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return hm(q.From) + "-" + hm(q.To)
}

// Quiet reports whether t falls in the window.
func (q QuietHours) Quiet(t time.Time) bool {
	if q.Off {
		return false
	}
	l := t.In(Zone)
	since := time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute + time.Duration(l.Second())*time.Second + time.Duration(l.Nanosecond())
	if q.From < q.To {
		return since >= q.From && since < q.To
	}
	return since >= q.From || since < q.To
}

// Release is the earliest time at or after t outside the window: t itself
// when t is not quiet, else the window's end. A message that can wait is
// enqueued with NotBefore set to Release(now).
func (q QuietHours) Release(t time.Time) time.Time {
	if !q.Quiet(t) {
		return t
	}
	l := t.In(Zone)
	midnight := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, Zone)
	end := midnight.Add(q.To)
	if !end.After(l) {
		end = end.AddDate(0, 0, 1)
	}
	return end.In(t.Location())
}
