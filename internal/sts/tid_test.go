package sts

import (
	"errors"
	"testing"
	"time"
)

func TestTID(t *testing.T) {
	nairobi := time.FixedZone("EAT", 3*3600)
	tests := []struct {
		name string
		base BaseDate
		at   time.Time
		want TID
	}{
		{"base itself", Base1993, time.Date(1993, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"seconds are dropped", Base1993, time.Date(1993, 1, 1, 0, 1, 59, 999, time.UTC), 1},
		{"worked example day", Base1993, time.Date(2004, 3, 1, 13, 55, 0, 0, time.UTC), 5871715},
		{"counted on the UTC clock", Base1993, time.Date(2004, 3, 1, 16, 55, 0, 0, nairobi), 5871715},
		{"2014 base", Base2014, time.Date(2014, 1, 2, 0, 0, 0, 0, time.UTC), 1440},
		{"last minute of 1993 base", Base1993, time.Date(2024, 11, 24, 20, 15, 0, 0, time.UTC), MaxTID},
		{"2035 base", Base2035, time.Date(2035, 1, 1, 1, 0, 0, 0, time.UTC), 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.base.TID(tt.at)
			if err != nil || got != tt.want {
				t.Fatalf("TID = %d, %v; want %d", got, err, tt.want)
			}
			if back := got.Time(tt.base); !back.Equal(tt.at.Truncate(time.Minute)) {
				t.Errorf("Time = %v, want %v", back, tt.at.Truncate(time.Minute))
			}
		})
	}
}

func TestTIDOutOfRange(t *testing.T) {
	for _, tt := range []struct {
		base BaseDate
		at   time.Time
	}{
		{Base1993, time.Date(2024, 11, 24, 20, 16, 0, 0, time.UTC)}, // the 1993 rollover
		{Base2014, time.Date(2013, 12, 31, 23, 59, 0, 0, time.UTC)},
		{Base2035, time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if _, err := tt.base.TID(tt.at); !errors.Is(err, ErrTIDRange) {
			t.Errorf("%d at %v: err = %v, want ErrTIDRange", tt.base, tt.at, err)
		}
	}
	if _, err := BaseDate(2000).TID(time.Now()); err == nil {
		t.Error("base date 2000 accepted")
	}
	if got := Base1993.Last().Format("2006-01-02 15:04"); got != "2024-11-24 20:15" {
		t.Errorf("1993 base ends %s, want 2024-11-24 20:15", got)
	}
}

func TestParseBaseDate(t *testing.T) {
	for in, want := range map[string]BaseDate{"1993": Base1993, "93": Base1993, "1993-01-01": Base1993, " 2014 ": Base2014, "35": Base2035} {
		if got, err := ParseBaseDate(in); err != nil || got != want {
			t.Errorf("ParseBaseDate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2000", "1993-02-01", "x"} {
		if _, err := ParseBaseDate(in); err == nil {
			t.Errorf("ParseBaseDate(%q) accepted", in)
		}
	}
}

func TestNext(t *testing.T) {
	tests := []struct{ last, now, want TID }{
		{10, 20, 20}, // a new minute
		{20, 20, 21}, // two tokens in one minute
		{25, 20, 26}, // the clock stepped back
	}
	for _, tt := range tests {
		if got, err := Next(tt.last, tt.now); err != nil || got != tt.want {
			t.Errorf("Next(%d, %d) = %d, %v; want %d", tt.last, tt.now, got, err, tt.want)
		}
	}
	if _, err := Next(MaxTID, MaxTID); !errors.Is(err, ErrTIDRange) {
		t.Errorf("Next past MaxTID: err = %v", err)
	}
}
