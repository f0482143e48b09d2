package report

import (
	"slices"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/tariff"
)

func TestValueAxisTicks(t *testing.T) {
	for _, c := range []struct {
		name   string
		lo, hi int64
		unit   Kind
		want   []string
		lang   Lang
	}{
		{"nothing yet", 0, 0, Count, []string{"0", "1"}, EN},
		{"counts", 0, 7, Count, []string{"0", "2", "4", "6", "8"}, EN},
		{"thousands", 0, 23_456, Count, []string{"0", "10k", "20k", "30k"}, EN},
		{"millions", 0, 4_200_000, Count, []string{"0", "2M", "4M", "6M"}, EN},
		{"half millions", 0, 1_900_000, Count, []string{"0", "500k", "1M", "1.5M", "2M"}, EN},
		{"cents", 0, 250, Money, []string{"0", "1", "2", "3"}, EN},
		{"a few cents", 0, 7, Money, []string{"0.00", "0.02", "0.04", "0.06", "0.08"}, EN},
		{"shillings", 0, 1_234_500, Money, []string{"0", "5,000", "10k", "15k"}, EN},
		{"below zero", -150_000, 260_000, Money, []string{"-2,000", "0", "2,000", "4,000"}, EN},
		{"milliseconds", 0, 730_000, Duration, []string{"0 ms", "200 ms", "400 ms", "600 ms", "800 ms"}, EN},
		{"seconds with tenths", 0, 1_900_000, Duration, []string{"0 s", "0.5 s", "1 s", "1.5 s", "2 s"}, EN},
		{"clock minutes", 0, 50 * 60_000_000, Duration, []string{"0 min", "15 min", "30 min", "45 min", "60 min"}, EN},
		{"hours in Swahili", 0, 11 * 3_600_000_000, Duration, []string{"0 saa", "3 saa", "6 saa", "9 saa", "12 saa"}, SW},
		{"days", 0, 3 * 86_400_000_000, Duration, []string{"0 d", "1 d", "2 d", "3 d"}, EN},
		{"energy", 0, 35_000, Energy, []string{"0", "10", "20", "30", "40"}, EN},
		{"watt-hours", 0, 700, Energy, []string{"0.000", "0.200", "0.400", "0.600", "0.800"}, EN},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := niceAxis(c.lo, c.hi, c.unit)
			var got []string
			for i := 0; i <= a.n; i++ {
				got = append(got, a.label(a.lo+int64(i)*a.step, c.lang))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("ticks for %d..%d: %q, want %q", c.lo, c.hi, got, c.want)
			}
			if a.lo > c.lo || a.hi() < c.hi {
				t.Errorf("axis %d..%d does not cover %d..%d", a.lo, a.hi(), c.lo, c.hi)
			}
		})
	}
}

func TestDurationsReadByPeople(t *testing.T) {
	for _, c := range []struct {
		us   int64
		lang Lang
		want string
	}{
		{0, EN, "0 ms"},
		{40, EN, "0 ms"},
		{400, EN, "0.4 ms"},
		{850_000, EN, "850 ms"},
		{1_250_000, EN, "1.2 s"},
		{14_000_000, EN, "14 s"},
		{125_000_000, SW, "2 dak"},
		{5_400_000_000, EN, "1.5 h"},
		{3 * 86_400_000_000, SW, "3 siku"},
		{-2_000_000, EN, "-2 s"},
	} {
		if got := humanDuration(c.us, c.lang); got != c.want {
			t.Errorf("%d µs: %q, want %q", c.us, got, c.want)
		}
	}
}

func TestPercentileIsANearestRankSample(t *testing.T) {
	samples := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct{ p, want int }{{50, 5}, {90, 9}, {95, 10}, {99, 10}, {1, 1}, {100, 10}} {
		if got := percentile(samples, c.p); got != int64(c.want) {
			t.Errorf("p%d of 1..10: %d, want %d", c.p, got, c.want)
		}
	}
	if got := percentile([]int64{7}, 99); got != 7 {
		t.Errorf("p99 of one sample: %d", got)
	}
	if cells := percentiles(nil, 50); !cells[0].Null {
		t.Error("a percentile of no samples is not null")
	}
}

func TestDayOfIsTheNairobiDate(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2026, 3, 1, 20, 59, 59, 999999000, time.UTC), // 23:59:59.999999 on the 1st in Nairobi
		time.Date(2026, 3, 1, 21, 0, 0, 0, time.UTC),           // midnight of the 2nd
	} {
		if got, want := dayName(dayOf(at.UnixMicro())), at.In(tariff.Zone).Format(time.DateOnly); got != want {
			t.Errorf("%s is day %s, want %s", at, got, want)
		}
	}
}
