package sts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TID is the token identifier: minutes since the key's base date at 00:00,
// 24 bits. A meter refuses a token whose TID is not newer than those it has
// seen, so the issuer keeps each meter's TIDs unique and increasing.
type TID uint32

// MaxTID is the largest TID that fits the 24-bit field.
const MaxTID TID = 1<<24 - 1

// BaseDate is the year whose 1 January 00:00 is TID zero. A meter moves from
// one base date to the next by a key change with the rollover bit set.
type BaseDate uint16

const (
	Base1993 BaseDate = 1993
	Base2014 BaseDate = 2014
	Base2035 BaseDate = 2035
)

// ErrTIDRange reports an issue time that the base date cannot express.
var ErrTIDRange = errors.New("issue time outside the base date's TID range")

// ParseBaseDate accepts "1993", "93", "1993-01-01" and the same for 2014 and 2035.
func ParseBaseDate(s string) (BaseDate, error) {
	t := strings.TrimSuffix(strings.TrimSpace(s), "-01-01")
	n, err := strconv.Atoi(t)
	if err == nil {
		switch n {
		case 93, 1993:
			return Base1993, nil
		case 14, 2014:
			return Base2014, nil
		case 35, 2035:
			return Base2035, nil
		}
	}
	return 0, fmt.Errorf("base date %q: want 1993, 2014 or 2035", s)
}

// Valid reports whether b is one of the three STS base dates.
func (b BaseDate) Valid() bool {
	return b == Base1993 || b == Base2014 || b == Base2035
}

// Code is the two-digit form used in DKGA04 ("93", "14", "35").
func (b BaseDate) Code() string {
	switch b {
	case Base1993:
		return "93"
	case Base2014:
		return "14"
	case Base2035:
		return "35"
	}
	return fmt.Sprintf("%02d", uint16(b)%100)
}

func (b BaseDate) String() string { return strconv.Itoa(int(b)) }

// Start is TID zero, on the UTC clock.
func (b BaseDate) Start() time.Time {
	return time.Date(int(b), time.January, 1, 0, 0, 0, 0, time.UTC)
}

// TID returns the TID of issue time t, truncated to the minute.
//
// STS leaves the clock's zone to the utility. Mteja counts on the UTC clock
// everywhere, so every issuer (vend worker, staff tool) agrees on one TID
// sequence per meter and a token made by one never makes the other's look old.
func (b BaseDate) TID(t time.Time) (TID, error) {
	if !b.Valid() {
		return 0, fmt.Errorf("tid: base date %d: want 1993, 2014 or 2035", uint16(b))
	}
	d := t.UTC().Sub(b.Start())
	if d < 0 {
		return 0, fmt.Errorf("tid: %s is before base date %d: %w", t.UTC().Format("2006-01-02 15:04"), b, ErrTIDRange)
	}
	m := d / time.Minute
	if m > time.Duration(MaxTID) {
		return 0, fmt.Errorf("tid: %s is past the end of base date %d (%s); the meter needs a key change to a later base date: %w",
			t.UTC().Format("2006-01-02 15:04"), b, b.Last().Format("2006-01-02 15:04"), ErrTIDRange)
	}
	return TID(m), nil
}

// Last is the issue minute of the last TID the base date can express.
func (b BaseDate) Last() time.Time { return MaxTID.Time(b) }

// Time is the issue minute of the TID, in UTC.
func (t TID) Time(b BaseDate) time.Time {
	return b.Start().Add(time.Duration(t) * time.Minute)
}

// Next returns the TID to use for a meter whose newest token has TID last,
// when the clock says now: now, or last+1 when two tokens fall in one minute
// (or the clock stepped back).
func Next(last, now TID) (TID, error) {
	if now > last {
		return now, nil
	}
	if last >= MaxTID {
		return 0, fmt.Errorf("tid: no TID after %d: %w", last, ErrTIDRange)
	}
	return last + 1, nil
}
