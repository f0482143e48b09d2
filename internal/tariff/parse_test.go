package tariff

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseSample(t *testing.T) {
	t.Parallel()
	tf := mustParseFile(t, "kenya-domestic-sample.yaml")
	want := Tariff{
		Name:     "kenya-domestic-sample",
		Currency: "KES",
		Versions: []Version{{
			EffectiveFrom: time.Date(2023, 4, 1, 0, 0, 0, 0, Zone),
			Currency:      "KES",
			Blocks:        []Block{{30000, 122200}, {100000, 165400}, {0, 190800}},
			Charges: []Charge{
				{Code: "fuel_energy_cost", Kind: PassThrough, Rate: 35900, VAT: true},
				{Code: "forex_adjustment", Kind: PassThrough, Rate: 12100, VAT: true},
				{Code: "inflation_adjustment", Kind: PassThrough, Rate: 4600, VAT: true},
				{Code: "energy_regulator_levy", Kind: LevyPerKWh, Rate: 800},
				{Code: "rural_electrification_levy", Kind: LevyOfEnergy, Share: 50000},
				{Code: "water_resources_levy", Kind: LevyPerKWh, Rate: 125},
			},
			VAT: 160000, VATOnEnergy: true, VATOnFixed: true,
			DebtRecovery: 250000,
			MinPurchase:  10000, MaxPurchase: 3500000,
		}},
	}
	if !reflect.DeepEqual(tf, want) {
		t.Errorf("parsed sample:\n%+v\nwant:\n%+v", tf, want)
	}
}

func TestParseVersions(t *testing.T) {
	t.Parallel()
	tf := mustParseFile(t, "kenya-domestic-versions.yaml")
	if len(tf.Versions) != 2 {
		t.Fatalf("%d versions; want 2", len(tf.Versions))
	}
	v1, v2 := tf.Versions[0], tf.Versions[1]
	if !v2.EffectiveFrom.Equal(time.Date(2024, 7, 1, 0, 0, 0, 0, Zone)) {
		t.Errorf("second version from %s", v2.EffectiveFrom)
	}
	// The second version gives pass-throughs and min_purchase; the rest is inherited.
	if v2.Charges[0].Rate != 27800 || v2.Charges[1].Rate != 9900 || v2.MinPurchase != 5000 {
		t.Errorf("second version's own figures: %+v, min %s", v2.Charges[:3], v2.MinPurchase)
	}
	if !reflect.DeepEqual(v1.Blocks, v2.Blocks) || !reflect.DeepEqual(v1.Charges[3:], v2.Charges[3:]) ||
		v2.VAT != v1.VAT || v2.DebtRecovery != v1.DebtRecovery || v2.MaxPurchase != v1.MaxPurchase {
		t.Errorf("second version did not inherit: %+v", v2)
	}
	if v1.Charges[0].Rate != 35900 || v1.MinPurchase != 10000 {
		t.Errorf("first version changed by the second: %+v", v1)
	}
	if l := v2.Label("water_resources_levy"); l != (Label{"WRA Levy", "Ada ya WRA"}) {
		t.Errorf("label override = %+v", l)
	}
	if l := v2.Label("energy_regulator_levy"); l.EN != "EPRA Charge" {
		t.Errorf("built-in label = %+v", l)
	}
	if l := v2.Label("street_light_levy"); l != (Label{"Street light levy", "Street light levy"}) {
		t.Errorf("derived label = %+v", l)
	}
}

// minimal is a valid one-version file the cases below edit.
const minimal = `name: t
currency: KES
effective_from: 2024-01-01
energy_blocks:
  - up_to_kwh: 30
    rate: 10.00
  - rate: 20.00
pass_through_per_kwh:
  fuel_energy_cost: 1.00
levies:
  energy_regulator_levy_per_kwh: 0.08
  rural_electrification_levy_pct_of_energy: 0.05
vat_pct: 0.16
min_purchase: 10
max_purchase: 1000
`

func TestParseOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(string) string
		check func(t *testing.T, v Version)
	}{
		{"percent form", func(s string) string { return strings.Replace(s, "vat_pct: 0.16", "vat_pct: 16%", 1) },
			func(t *testing.T, v Version) {
				if v.VAT != 160000 {
					t.Errorf("VAT %d", v.VAT)
				}
			}},
		{"defaults", func(s string) string { return s }, func(t *testing.T, v Version) {
			if !v.VATOnEnergy || !v.VATOnFixed || !v.Charges[0].VAT || v.Charges[1].VAT || v.Charges[2].VAT ||
				v.FixedMonthly != 0 || v.DebtRecovery != 0 {
				t.Errorf("defaults: %+v", v)
			}
		}},
		{"VAT on levies only", func(s string) string { return s + "vat_applies_to: [levies]\n" }, func(t *testing.T, v Version) {
			if v.VATOnEnergy || v.VATOnFixed || v.Charges[0].VAT || !v.Charges[1].VAT || !v.Charges[2].VAT {
				t.Errorf("flags: %+v", v)
			}
		}},
		{"VAT on one charge", func(s string) string { return s + "vat_applies_to: [energy, energy_regulator_levy]\n" }, func(t *testing.T, v Version) {
			if !v.VATOnEnergy || v.VATOnFixed || v.Charges[0].VAT || !v.Charges[1].VAT || v.Charges[2].VAT {
				t.Errorf("flags: %+v", v)
			}
		}},
		{"no VAT anywhere", func(s string) string { return s + "vat_applies_to: []\n" }, func(t *testing.T, v Version) {
			if v.VATOnEnergy || v.VATOnFixed || v.Charges[0].VAT {
				t.Errorf("flags: %+v", v)
			}
		}},
		{"quoted numbers and money with separators", func(s string) string {
			return strings.Replace(strings.Replace(s, "rate: 20.00", `rate: "20.00"`, 1), "max_purchase: 1000", `max_purchase: "1,000.00"`, 1)
		}, func(t *testing.T, v Version) {
			if v.Blocks[1].Rate != 200000 || v.MaxPurchase != 100000 {
				t.Errorf("%+v", v)
			}
		}},
		{"fractional kWh threshold", func(s string) string { return strings.Replace(s, "up_to_kwh: 30", "up_to_kwh: 30.5", 1) },
			func(t *testing.T, v Version) {
				if v.Blocks[0].UpToWh != 30500 {
					t.Errorf("threshold %d Wh", v.Blocks[0].UpToWh)
				}
			}},
		{"flow style and aliases", func(string) string {
			return `name: t
currency: KES
versions:
  - effective_from: 2024-01-01
    energy_blocks: &blocks [{up_to_kwh: 30, rate: 10}, {rate: 20}]
    vat_pct: 0
    min_purchase: 10
    max_purchase: 1000
  - effective_from: 2024-02-01
    energy_blocks: *blocks
    fixed_monthly_charge: 50
`
		}, func(t *testing.T, v Version) {
			if len(v.Blocks) != 2 || v.Blocks[1].Rate != 200000 {
				t.Errorf("%+v", v)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf, err := Parse([]byte(tt.edit(minimal)))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, tf.Versions[0])
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	replace := func(old, new string) string {
		if !strings.Contains(minimal, old) {
			panic("test case edits nothing: " + old)
		}
		return strings.Replace(minimal, old, new, 1)
	}
	versions := func(v1, v2 string) string {
		return "name: t\ncurrency: KES\nversions:\n" + v1 + v2
	}
	const v1 = "  - effective_from: 2024-01-01\n    energy_blocks: [{rate: 10}]\n    vat_pct: 0\n    min_purchase: 10\n    max_purchase: 100\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"empty", "", "the file is empty"},
		{"only comments", "# nothing\n", "the file is empty"},
		{"not a mapping", "- a\n- b\n", "tariff: want a mapping of keys, found a list"},
		{"bad YAML", "name: [\n", "yaml:"},
		{"two documents", minimal + "---\n" + minimal, "more than one YAML document"},
		{"misspelt key", minimal + "vat_pc: 0.16\n", `line 16: tariff: unknown key "vat_pc"`},
		{"repeated key", minimal + "vat_pct: 0.18\n", `line 16: tariff: key "vat_pct" appears twice (first on line 13)`},
		{"no name", replace("name: t\n", ""), "name is missing"},
		{"currency", replace("currency: KES", "currency: kes"), `currency "kes" is not a three-letter code`},
		{"comma in rate", replace("rate: 10.00", "rate: 10,00"), `line 6: energy_blocks[0].rate: "10,00" is not a plain decimal number`},
		{"too many decimals", replace("rate: 10.00", "rate: 10.00001"), `energy_blocks[0].rate: "10.00001" has more than 4 decimal places`},
		{"exponent", replace("rate: 20.00", "rate: 2e1"), `line 7: energy_blocks[1].rate: "2e1" is not a plain decimal number`},
		{"negative", replace("fuel_energy_cost: 1.00", "fuel_energy_cost: -1.00"), `pass_through_per_kwh.fuel_energy_cost: "-1.00" is not a plain decimal`},
		{"rate missing", replace("    rate: 10.00\n", ""), "energy_blocks[0].rate is missing"},
		{"zero rate", replace("rate: 10.00", "rate: 0"), "energy block 1: rate 0.0000 must be above zero"},
		{"blocks not increasing", replace("  - rate: 20.00\n", "  - up_to_kwh: 20\n    rate: 20.00\n  - rate: 30\n"),
			"energy block 2 ends at 20 kWh, not above block 1's 30 kWh: blocks must increase"},
		{"last block closed", replace("  - rate: 20.00\n", "  - up_to_kwh: 100\n    rate: 20.00\n"),
			"energy block 2 ends at 100 kWh, but the last block must be open-ended"},
		{"middle block open", replace("  - rate: 20.00\n", "  - rate: 20.00\n  - rate: 30.00\n"),
			"energy block 2 has no upper bound, but only the last block may be open-ended"},
		{"zero threshold", replace("up_to_kwh: 30", "up_to_kwh: 0"), "energy_blocks[0].up_to_kwh: a block cannot end at 0 kWh"},
		{"no blocks", replace("energy_blocks:\n  - up_to_kwh: 30\n    rate: 10.00\n  - rate: 20.00\n", "energy_blocks: []\n"), "there are no energy blocks"},
		{"blocks not a list", replace("energy_blocks:\n  - up_to_kwh: 30\n    rate: 10.00\n  - rate: 20.00\n", "energy_blocks: 10\n"),
			`energy_blocks: want a list, found the value "10"`},
		{"VAT above 100%", replace("vat_pct: 0.16", "vat_pct: 16"), "VAT of 1600% is out of range (0% to 100%)"},
		{"levy above 100%", replace("pct_of_energy: 0.05", "pct_of_energy: 120%"), `charge "rural_electrification_levy" of 120% is out of range`},
		{"debt above 100%", minimal + "debt_recovery_pct: 1.01\n", "debt recovery of 101% is out of range"},
		{"bad date", replace("2024-01-01", "2024-13-01"), `effective_from: "2024-13-01" is not a date like 2023-04-01`},
		{"no date", replace("effective_from: 2024-01-01\n", ""), "effective_from is missing (the date it is in force from"},
		{"no VAT", replace("vat_pct: 0.16\n", ""), "vat_pct is missing (write 0 if no VAT applies)"},
		{"empty value", replace("vat_pct: 0.16", "vat_pct:"), "vat_pct: want a single value, found nothing"},
		{"min above max", replace("min_purchase: 10", "min_purchase: 5000"), "maximum purchase 1,000.00 is below the minimum purchase 5,000.00"},
		{"zero min", replace("min_purchase: 10", "min_purchase: 0"), "minimum purchase 0.00 must be above zero"},
		{"bad money", replace("min_purchase: 10", "min_purchase: ten"), `min_purchase: not an amount: "ten"`},
		{"levy without kind", replace("energy_regulator_levy_per_kwh", "energy_regulator_levy"),
			`levy "energy_regulator_levy" must end in _per_kwh or _pct_of_energy`},
		{"reserved code", replace("fuel_energy_cost", "vat"), `charge code "vat" is reserved`},
		{"bad code", replace("fuel_energy_cost", "Fuel-Cost"), `charge code "Fuel-Cost" must be lower-case`},
		{"same code twice", replace("fuel_energy_cost", "energy_regulator_levy"), `charge "energy_regulator_levy" appears twice`},
		{"unknown VAT target", minimal + "vat_applies_to: [energy, stamp_duty]\n",
			`line 16: vat_applies_to: "stamp_duty" is not energy, fixed, pass_through, levies or a charge of this version`},
		{"labels without en", minimal + "labels:\n  vat: {sw: Kodi}\n", "labels.vat.en is missing"},
		{"unknown label key", minimal + "labels:\n  vat: {en: VAT, fr: TVA}\n", `labels.vat: unknown key "fr"`},
		{"versions and top-level fields", minimal + "versions: []\n", "the file has versions:, so effective_from belongs inside a version"},
		{"empty versions", "name: t\ncurrency: KES\nversions: []\n", "versions: the list is empty"},
		{"versions out of order", versions(v1, strings.Replace(v1, "2024-01-01", "2023-06-01", 1)),
			"version from 2023-06-01 does not come after the version from 2024-01-01"},
		{"same date twice", versions(v1, v1), "version from 2024-01-01 does not come after the version from 2024-01-01"},
		{"later version without a date", versions(v1, "  - vat_pct: 0.16\n"), "line 9: versions[1].effective_from is missing"},
		{"first version incomplete", versions("  - effective_from: 2024-01-01\n    vat_pct: 0\n", ""), "line 4: versions[0].energy_blocks is missing"},
		{"unknown key in a version", versions(v1, "  - effective_from: 2024-02-01\n    name: x\n"), `line 10: versions[1]: unknown key "name"`},
		{"invalid later version", versions(v1, "  - effective_from: 2024-02-01\n    max_purchase: 5\n"),
			"line 10: versions[1].max_purchase: maximum purchase 5.00 is below the minimum purchase 10.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("parsed; want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "parse tariff: ") {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

// The embedded demo tariff is the same file as the sample in testdata.
func TestSample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/kenya-domestic-sample.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(SampleYAML()) != string(b) {
		t.Error("embedded sample differs from testdata/kenya-domestic-sample.yaml")
	}
	if got, want := Sample(), mustParseFile(t, "kenya-domestic-sample.yaml"); !reflect.DeepEqual(got, want) {
		t.Errorf("Sample() = %+v; want %+v", got, want)
	}
	s := Sample()
	s.Versions[0].VAT = 0
	s.Versions[0].Blocks[0].Rate = 1
	if again := Sample().Versions[0]; again.VAT == 0 || again.Blocks[0].Rate == 1 {
		t.Error("changing one Sample() changed the next")
	}
}

// A file with several mistakes gets every one reported, each at its own
// line, in line order: a mistake does not hide the ones after it, and a
// figure a later version inherits is not reported twice.
func TestParseReportsEveryProblem(t *testing.T) {
	t.Parallel()
	const file = `name: t
currency: kes
versions:
  - effective_from: 2024-01-01
    energy_blocks:
      - up_to_kwh: 30
        rate: 10,00
      - up_to_kwh: 100
        rate: 12.00
      - up_to_kwh: 90
        rate: 15.00
      - rate: 20.00
    levies:
      street_light: 0.10
    vat_pct: 16
    min_purchase: 10
    max_purchase: 1000
    colour: blue
  - effective_from: 2024-02-01
    max_purchase: 5
  - effective_from: 2024-03-01
    min_purchase: ten
`
	want := []struct {
		line int
		text string
	}{
		{2, `currency: currency "kes" is not a three-letter code`},
		{7, `versions[0].energy_blocks[0].rate: "10,00" is not a plain decimal number`},
		{10, "versions[0].energy_blocks[2]: energy block 3 ends at 90 kWh, not above block 2's 100 kWh"},
		{14, `versions[0].levies: levy "street_light" must end in _per_kwh or _pct_of_energy`},
		{15, "versions[0].vat_pct: VAT of 1600% is out of range"},
		{18, `versions[0]: unknown key "colour"`},
		{20, "versions[1].max_purchase: maximum purchase 5.00 is below the minimum purchase 10.00"},
		{22, `versions[2].min_purchase: not an amount: "ten"`},
	}
	_, err := Parse([]byte(file))
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("Parse = %v; want a *FileError", err)
	}
	if len(fe.Problems) != len(want) {
		t.Errorf("%d problems; want %d:\n%v", len(fe.Problems), len(want), err)
	}
	for i, w := range want {
		if i >= len(fe.Problems) {
			break
		}
		p := fe.Problems[i]
		if p.Line != w.line || !strings.Contains(p.Error(), w.text) {
			t.Errorf("problem %d = %q (line %d); want line %d with %q", i, p, p.Line, w.line, w.text)
		}
	}
	if !strings.HasPrefix(err.Error(), "parse tariff: 8 problems:\n  line 2: ") {
		t.Errorf("error text %q; want it to count the problems and list them one to a line", err)
	}
}
