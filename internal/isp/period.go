package isp

import (
	"time"

	"github.com/mteja/mteja/internal/tariff"
)

// Time rules, in East Africa Time (tariff.Zone), which is what customers
// read on their phones:
//   - a bundle lasts exactly its duration from the moment it starts: a
//     daily bundle bought at 23:59 lasts until 23:59 the next day, not
//     until midnight;
//   - a monthly plan ends on the same day of the next month at the same
//     time of day, and on the month's last day when the month is shorter:
//     a plan taken on 31 January runs to 28 (or 29) February, then to
//     31 March. The day it was first taken (the anchor) is kept, so a
//     short month does not pull every later period back. The month is
//     counted in EAT: a plan taken at 01:00 on 31 March EAT (22:00 UTC on
//     the 30th) ends on 30 April, not on 31 March or 1 May.

// periodEnd returns when a period of plan p starting at start ends; the
// zero time when it has no end (a data bundle without validity). anchor
// is the monthly plan's day of the month (0: start's own day).
func periodEnd(p Plan, start time.Time, anchor int) time.Time {
	if p.Billing != Monthly {
		if p.Duration <= 0 {
			return time.Time{}
		}
		return start.Add(p.Duration).UTC()
	}
	s := start.In(tariff.Zone)
	if anchor <= 0 {
		anchor = s.Day()
	}
	y, m, _ := s.Date()
	next := time.Date(y, m+1, 1, 0, 0, 0, 0, tariff.Zone)
	day := min(anchor, daysIn(next.Year(), next.Month()))
	return time.Date(next.Year(), next.Month(), day, s.Hour(), s.Minute(), s.Second(), s.Nanosecond(), tariff.Zone).UTC()
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// anchorOf is the day of the month a monthly plan started at t keeps.
func anchorOf(t time.Time) int { return t.In(tariff.Zone).Day() }
