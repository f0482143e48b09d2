package tariff

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAt(t *testing.T) {
	t.Parallel()
	tf := mustParseFile(t, "kenya-domestic-versions.yaml")
	utc := func(s string) time.Time {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	tests := []struct {
		at   time.Time
		want string // effective date, or "" for ErrNoVersion
	}{
		{utc("2023-03-31T20:59:59Z"), ""},           // 23:59:59 EAT, the day before
		{utc("2023-03-31T21:00:00Z"), "2023-04-01"}, // midnight EAT
		{utc("2024-06-30T20:59:59Z"), "2023-04-01"},
		{utc("2024-06-30T21:00:00Z"), "2024-07-01"},
		{utc("2024-07-01T00:00:00+03:00"), "2024-07-01"},
		{utc("2030-01-01T00:00:00Z"), "2024-07-01"},
	}
	for _, tt := range tests {
		v, err := tf.At(tt.at)
		if tt.want == "" {
			if !errors.Is(err, ErrNoVersion) || !strings.Contains(err.Error(), "the first starts 2023-04-01") {
				t.Errorf("At(%s) = %v, %v; want ErrNoVersion naming the first date", tt.at, v.EffectiveFrom, err)
			}
			continue
		}
		if err != nil || v.EffectiveFrom.Format(dateLayout) != tt.want {
			t.Errorf("At(%s) = %s, %v; want %s", tt.at, v.EffectiveFrom, err, tt.want)
		}
	}
	if _, err := (Tariff{Name: "x"}).At(time.Now()); !errors.Is(err, ErrNoVersion) {
		t.Errorf("empty tariff: %v", err)
	}

	lo, err := tf.MinPurchase(utc("2024-01-01T00:00:00Z"))
	hi, err2 := tf.MaxPurchase(utc("2024-08-01T00:00:00Z"))
	lo2, err3 := tf.MinPurchase(utc("2024-08-01T00:00:00Z"))
	if err != nil || err2 != nil || err3 != nil || lo.String() != "100.00" || hi.String() != "35,000.00" || lo2.String() != "50.00" {
		t.Errorf("limits %s %s %s (%v %v %v)", lo, hi, lo2, err, err2, err3)
	}
	if _, err := tf.MinPurchase(utc("2020-01-01T00:00:00Z")); !errors.Is(err, ErrNoVersion) {
		t.Errorf("MinPurchase before the first version: %v", err)
	}
}

// A version is future before its date, in force from it, past once the
// next one starts.
func TestState(t *testing.T) {
	t.Parallel()
	tf := mustParseFile(t, "kenya-domestic-versions.yaml")
	for _, tt := range []struct {
		at           time.Time
		first, later string
	}{
		{time.Date(2023, 3, 31, 23, 59, 0, 0, Zone), StateFuture, StateFuture},
		{time.Date(2023, 4, 1, 0, 0, 0, 0, Zone), StateInForce, StateFuture},
		{time.Date(2024, 7, 1, 0, 0, 0, 0, Zone), StatePast, StateInForce},
	} {
		if a, b := tf.State(0, tt.at), tf.State(1, tt.at); a != tt.first || b != tt.later {
			t.Errorf("at %s: %s, %s; want %s, %s", tt.at, a, b, tt.first, tt.later)
		}
	}
}

func TestMonthStart(t *testing.T) {
	t.Parallel()
	tests := []struct{ at, want string }{
		{"2024-07-15T10:00:00Z", "2024-07-01T00:00:00+03:00"},
		// 31 Jan 22:30 UTC is already 1 February in Nairobi.
		{"2024-01-31T22:30:00Z", "2024-02-01T00:00:00+03:00"},
		{"2024-01-31T20:59:59Z", "2024-01-01T00:00:00+03:00"},
		{"2024-03-01T00:00:00+03:00", "2024-03-01T00:00:00+03:00"},
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.RFC3339, tt.at)
		if got := MonthStart(at).Format(time.RFC3339); got != tt.want {
			t.Errorf("MonthStart(%s) = %s; want %s", tt.at, got, tt.want)
		}
	}
}

func TestTariffValidate(t *testing.T) {
	t.Parallel()
	good := func() Tariff { return mustParseFile(t, "kenya-domestic-versions.yaml") }
	tests := []struct {
		name string
		edit func(*Tariff)
		want string
	}{
		{"no name", func(tf *Tariff) { tf.Name = " " }, "tariff has no name"},
		{"currency", func(tf *Tariff) { tf.Currency = "KSH1" }, `currency "KSH1" is not a three-letter code`},
		{"no versions", func(tf *Tariff) { tf.Versions = nil }, "has no versions"},
		{"mixed currency", func(tf *Tariff) { tf.Versions[1].Currency = "UGX" }, `version from 2024-07-01 is in "UGX", not the tariff's "KES"`},
		{"no date", func(tf *Tariff) { tf.Versions[0].EffectiveFrom = time.Time{} }, "version has no effective date"},
		{"order", func(tf *Tariff) { tf.Versions[0], tf.Versions[1] = tf.Versions[1], tf.Versions[0] },
			"version from 2023-04-01 does not come after the version from 2024-07-01"},
		{"charge kind", func(tf *Tariff) { tf.Versions[0].Charges[0].Kind = 0 }, `charge "fuel_energy_cost" has no kind`},
		{"charge with both", func(tf *Tariff) { tf.Versions[0].Charges[0].Share = 1 }, "is per kWh but has a share of energy too"},
		{"levy with both", func(tf *Tariff) { tf.Versions[0].Charges[4].Rate = 1 }, "is a share of energy but has a per-kWh rate too"},
		{"huge rate", func(tf *Tariff) { tf.Versions[0].Charges[0].Rate = maxRate + 1 }, "is out of range"},
		{"huge block", func(tf *Tariff) { tf.Versions[0].Blocks[1].UpToWh = maxWh + 1 }, "above the supported"},
		{"huge max", func(tf *Tariff) { tf.Versions[0].MaxPurchase = maxAmount + 1 }, "above the supported"},
		{"negative fixed", func(tf *Tariff) { tf.Versions[0].FixedMonthly = -1 }, "fixed monthly charge -0.01 is out of range"},
	}
	for _, tt := range tests {
		tf := good()
		tt.edit(&tf)
		if err := tf.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
	if err := good().Validate(); err != nil {
		t.Errorf("valid tariff: %v", err)
	}
}
