package tariff

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// edit replaces old with new in s once, failing if old is not there, so a
// case cannot silently test the unedited file.
func edit(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("%q is not in the file", old)
	}
	return strings.Replace(s, old, new, 1)
}

// Plan lets a file add and rework future versions, and refuses, at the
// file's line, every change to a version whose date has come.
func TestPlan(t *testing.T) {
	t.Parallel()
	sample := readTestdata(t, "kenya-domestic-sample.yaml")
	versions := readTestdata(t, "kenya-domestic-versions.yaml")
	june := time.Date(2024, 6, 15, 10, 0, 0, 0, Zone)  // the second version is still to come
	later := time.Date(2025, 1, 10, 10, 0, 0, 0, Zone) // both are in force or past
	type want struct {
		kept, added, replaced, removed []string // effective dates
		labels, empty                  bool
		inForce                        string
		diff                           string // part of the first replaced version's diff
	}
	tests := []struct {
		name         string
		stored, file string // "" stored: none
		now          time.Time
		want         want
		problems     []string // "line N: text" parts, in order; nil: none
	}{
		{name: "a new tariff takes any dates", file: versions, now: later,
			want: want{added: []string{"2023-04-01", "2024-07-01"}}},
		{name: "a future version is added", stored: sample, file: versions, now: june,
			want: want{kept: []string{"2023-04-01"}, added: []string{"2024-07-01"}, labels: true, inForce: "2023-04-01"}},
		{name: "the same file again changes nothing", stored: versions, file: versions, now: later,
			want: want{kept: []string{"2023-04-01", "2024-07-01"}, empty: true, inForce: "2024-07-01"}},
		{name: "a future version is reworked", stored: versions, file: edit(t, versions, "fuel_energy_cost: 2.7800", "fuel_energy_cost: 2.9000"), now: june,
			want: want{kept: []string{"2023-04-01"}, replaced: []string{"2024-07-01"}, inForce: "2023-04-01",
				diff: "fuel_energy_cost 2.7800 per kWh, VAT → 2.9000 per kWh, VAT"}},
		{name: "a future version is dropped", stored: versions, file: strings.Replace(sample, "kenya-domestic-sample", "kenya-domestic-versions", 1), now: june,
			want: want{kept: []string{"2023-04-01"}, removed: []string{"2024-07-01"}, labels: true, inForce: "2023-04-01"}},
		{name: "a version in force cannot change", stored: sample, file: edit(t, sample, "fuel_energy_cost: 3.5900", "fuel_energy_cost: 3.7000"), now: june,
			problems: []string{"line 8: the version from 2023-04-01 has been in force since that day and vends were priced with it, so it cannot change: fuel_energy_cost 3.5900 per kWh, VAT → 3.7000 per kWh, VAT"}},
		{name: "a past version cannot change either", stored: versions, file: edit(t, versions, "min_purchase: 100.00", "min_purchase: 120.00"), now: later,
			problems: []string{"line 8: the version from 2023-04-01 has been in force since that day and vends were priced with it, so it cannot change: minimum purchase 100.00 → 120.00"}},
		{name: "a version in force cannot be dropped", stored: versions, file: strings.Replace(sample, "kenya-domestic-sample", "kenya-domestic-versions", 1), now: later,
			problems: []string{"line 8: the version from 2024-07-01 is missing: it has been in force since 2024-07-01"}},
		{name: "a new version cannot start in the past", stored: sample, file: versions, now: later,
			problems: []string{"line 28: a new version from 2024-07-01 would reprice what was sold since then: date it after today (2025-01-10)"}},
		{name: "nor today", stored: sample, file: versions, now: time.Date(2024, 7, 1, 0, 0, 1, 0, Zone),
			problems: []string{"line 28: a new version from 2024-07-01 would reprice"}},
		{name: "a tariff keeps its currency", stored: sample, file: strings.Replace(sample, "currency: KES", "currency: UGX", 1), now: june,
			problems: []string{"line 8: the tariff is in KES, the file in UGX"}},
		{name: "every problem is reported", stored: versions,
			file: edit(t, edit(t, versions, "inflation_adjustment: 0.4600\n    levies", "inflation_adjustment: 0.5000\n    levies"), "  - effective_from: 2024-07-01", "  - effective_from: 2024-08-01"),
			now:  time.Date(2024, 8, 10, 0, 0, 0, 0, Zone),
			problems: []string{
				"line 8: the version from 2023-04-01 has been in force since that day and vends were priced with it, so it cannot change: inflation_adjustment 0.4600 per kWh, VAT → 0.5000 per kWh, VAT",
				"line 28: the version from 2024-07-01 is missing",
				"line 28: a new version from 2024-08-01 would reprice",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stored *Tariff
			if tt.stored != "" {
				s, err := Parse([]byte(tt.stored))
				if err != nil {
					t.Fatal(err)
				}
				stored = &s
			}
			file, err := Parse([]byte(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			c, err := Plan(stored, file, VersionLines([]byte(tt.file)), tt.now)
			if tt.problems != nil {
				var fe *FileError
				if !errors.As(err, &fe) || len(fe.Problems) != len(tt.problems) {
					t.Fatalf("Plan = %v; want %d problems", err, len(tt.problems))
				}
				for i, p := range fe.Problems {
					if !strings.Contains(p.Error(), tt.problems[i]) {
						t.Errorf("problem %d = %q; want it to contain %q", i, p, tt.problems[i])
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			dates := func(vs []Version) []string {
				var out []string
				for _, v := range vs {
					out = append(out, v.EffectiveFrom.Format(dateLayout))
				}
				return out
			}
			var replaced []string
			for _, r := range c.Replaced {
				replaced = append(replaced, r.New.EffectiveFrom.Format(dateLayout))
			}
			inForce := ""
			if c.InForce != nil {
				inForce = c.InForce.EffectiveFrom.Format(dateLayout)
			}
			got := want{kept: dates(c.Kept), added: dates(c.Added), replaced: replaced, removed: dates(c.Removed),
				labels: c.Labels, empty: c.Empty(), inForce: inForce, diff: tt.want.diff}
			if tt.want.diff != "" && (len(c.Replaced) == 0 || strings.Join(c.Replaced[0].Diff, "; ") != tt.want.diff) {
				t.Errorf("replaced = %+v; want the first with the diff %q", c.Replaced, tt.want.diff)
			}
			if !equalWant(got.kept, tt.want.kept) || !equalWant(got.added, tt.want.added) || !equalWant(got.replaced, tt.want.replaced) ||
				!equalWant(got.removed, tt.want.removed) || got.labels != tt.want.labels || got.empty != tt.want.empty ||
				got.inForce != tt.want.inForce || c.New != (tt.stored == "") {
				t.Errorf("change = %+v (new %v); want %+v", got, c.New, tt.want)
			}
		})
	}
}

func equalWant(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// Diff names each figure that changes, and nothing when only the date or
// the wording differs.
func TestDiff(t *testing.T) {
	t.Parallel()
	base := mustParseFile(t, "kenya-domestic-sample.yaml").Versions[0]
	other := mustParseFile(t, "fixed-charge.yaml").Versions[0]
	same := base
	same.EffectiveFrom = base.EffectiveFrom.AddDate(1, 0, 0)
	same.Labels = map[string]Label{"vat": {"Tax", "Kodi"}}
	if d := base.Diff(same); len(d) != 0 {
		t.Errorf("date and labels only: %q; want no differences", d)
	}
	want := []string{
		"energy blocks 0-30 kWh at 12.2200, 30-100 kWh at 16.5400, above 100 kWh at 19.0800 → 0-50 kWh at 10.0000, above 50 kWh at 20.0000",
		"fixed monthly charge 0.00 → 150.00",
		"fuel_energy_cost 3.5900 per kWh, VAT → 2.0000 per kWh, VAT",
		"energy_regulator_levy 0.0800 per kWh → 0.1000 per kWh",
		"forex_adjustment removed (was 1.2100 per kWh, VAT)",
		"inflation_adjustment removed (was 0.4600 per kWh, VAT)",
		"rural_electrification_levy removed (was 5% of energy)",
		"water_resources_levy removed (was 0.0125 per kWh)",
		"minimum purchase 100.00 → 50.00",
		"maximum purchase 35,000.00 → 10,000.00",
	}
	if got := base.Diff(other); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A change says, for each version of the file, whether it is new (with
// how it differs from the one before), unchanged or reworked (with how it
// differs from the stored one); Upcoming are those a preview prices.
func TestChangeVersions(t *testing.T) {
	t.Parallel()
	versions := readTestdata(t, "kenya-domestic-versions.yaml")
	stored, file := mustParse(t, versions), mustParse(t, edit(t, versions, "fuel_energy_cost: 2.7800", "fuel_energy_cost: 2.9000"))
	june := time.Date(2024, 6, 15, 10, 0, 0, 0, Zone)
	c, err := Plan(&stored, file, nil, june)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Versions(file)
	if len(got) != 2 || got[0].What != VersionUnchanged || got[0].Diff != nil || got[1].What != VersionChanged ||
		strings.Join(got[1].Diff, "; ") != "fuel_energy_cost 2.7800 per kWh, VAT → 2.9000 per kWh, VAT" {
		t.Errorf("a reworked future version: %+v", got)
	}
	c, err = Plan(nil, stored, nil, june)
	if err != nil {
		t.Fatal(err)
	}
	got = c.Versions(stored)
	if len(got) != 2 || got[0].What != VersionNew || got[0].Diff != nil || got[1].What != VersionNew || !strings.Contains(strings.Join(got[1].Diff, "; "), "minimum purchase 100.00 → 50.00") {
		t.Errorf("a new tariff: %+v", got)
	}
	if up := c.Upcoming(); len(up) != 2 || !up[0].EffectiveFrom.Before(up[1].EffectiveFrom) {
		t.Errorf("upcoming of a new tariff: %+v", up)
	}
}

func mustParse(t *testing.T, s string) Tariff {
	t.Helper()
	tf, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return tf
}
