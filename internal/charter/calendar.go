package charter

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Zone is the charter's clock: business hours and holidays are Kenyan.
var Zone = time.FixedZone("EAT", 3*60*60)

// Hours are the business hours a business_hours clock runs in.
type Hours struct {
	Days        [7]bool       // by time.Weekday
	Open, Close time.Duration // since midnight EAT
}

// Clock is the business day's opening and closing time: "08:00", "17:00".
func (h Hours) Clock() (open, close string) {
	f := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return f(h.Open), f(h.Close)
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

func parseHours(r rawHours) (Hours, error) {
	var h Hours
	if len(r.Days) == 0 {
		return h, fmt.Errorf("days: want the working days, such as [mon, tue, wed, thu, fri]")
	}
	for _, d := range r.Days {
		wd, ok := weekdays[strings.ToLower(d)]
		if !ok {
			return h, fmt.Errorf("day %q: want mon, tue, wed, thu, fri, sat or sun", d)
		}
		h.Days[wd] = true
	}
	var err error
	if h.Open, err = clockTime(r.Open); err != nil {
		return h, fmt.Errorf("open: %w", err)
	}
	if h.Close, err = clockTime(r.Close); err != nil {
		return h, fmt.Errorf("close: %w", err)
	}
	if h.Close <= h.Open {
		return h, fmt.Errorf("close %s is not after open %s", r.Close, r.Open)
	}
	return h, nil
}

func clockTime(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q: want HH:MM", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// Holidays are the public holidays, by date (YYYY-MM-DD, EAT), with their
// names; a day given for a holiday that fell on a Sunday is among them.
type Holidays map[string]string

// Is reports whether t falls on a public holiday.
func (h Holidays) Is(t time.Time) bool {
	_, ok := h[t.In(Zone).Format("2006-01-02")]
	return ok
}

// ParseHolidays reads a dated holiday file: a list of {date, name}. The
// Public Holidays Act gives the Monday after a holiday that falls on a
// Sunday (or the next free day, when that Monday is a holiday itself), so
// the file lists only the gazetted dates and the substitutes follow.
func ParseHolidays(b []byte, name string) (Holidays, error) {
	var raw []struct {
		Date string `yaml:"date"`
		Name string `yaml:"name"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("holidays %s: %w", name, err)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("holidays %s: the list is empty", name)
	}
	h := Holidays{}
	var days []time.Time
	for i, r := range raw {
		d, err := time.ParseInLocation("2006-01-02", r.Date, Zone)
		if err != nil || r.Name == "" {
			return nil, fmt.Errorf("holidays %s: entry %d: want a date YYYY-MM-DD and a name", name, i+1)
		}
		if _, dup := h[r.Date]; dup {
			return nil, fmt.Errorf("holidays %s: %s listed twice", name, r.Date)
		}
		h[r.Date] = r.Name
		days = append(days, d)
	}
	for _, d := range days {
		if d.Weekday() != time.Sunday {
			continue
		}
		sub := d.AddDate(0, 0, 1)
		for {
			if _, taken := h[sub.Format("2006-01-02")]; !taken {
				break
			}
			sub = sub.AddDate(0, 0, 1)
		}
		h[sub.Format("2006-01-02")] = h[d.Format("2006-01-02")] + " (observed)"
	}
	return h, nil
}

// working is the part of [from, to) that the calendar counts.
func (c *Charter) working(calendar string, from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if calendar != BusinessHours {
		return to.Sub(from)
	}
	var sum time.Duration
	f := from.In(Zone)
	day := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, Zone)
	for ; day.Before(to); day = day.AddDate(0, 0, 1) {
		if !c.Hours.Days[day.Weekday()] || c.Holidays.Is(day) {
			continue
		}
		open, closed := day.Add(c.Hours.Open), day.Add(c.Hours.Close)
		if open.Before(from) {
			open = from
		}
		if closed.After(to) {
			closed = to
		}
		if closed.After(open) {
			sum += closed.Sub(open)
		}
	}
	return sum
}
