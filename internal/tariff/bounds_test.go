package tariff

import (
	"strings"
	"testing"
)

// Figures at the int64 edges anywhere a tariff file holds money, a rate,
// a share or energy are refused with an error naming the field, never
// parsed to a wrapped-around value.
func TestParseBounds(t *testing.T) {
	t.Parallel()
	edges := []string{
		"9223372036854775807",  // MaxInt64
		"9223372036854775808",  // 2^63
		"4611686018427388004",  // 2^62 + 4: ×100 wraps to 10000
		"92233720368547759",    // MaxInt64/100 + 1
		"92233720368547758.07", // MaxInt64 in cents
		"-9223372036854775808", // MinInt64
		"18446744073709551616", // 2^64
		"1e300",
	}
	fields := []struct{ old, field string }{
		{"max_purchase: 1000", "max_purchase"},
		{"min_purchase: 10", "min_purchase"},
		{"rate: 10.00", "rate"},
		{"up_to_kwh: 30", "up_to_kwh"},
		{"fuel_energy_cost: 1.00", "fuel_energy_cost"},
		{"energy_regulator_levy_per_kwh: 0.08", "energy_regulator_levy_per_kwh"},
		{"vat_pct: 0.16", "vat_pct"},
	}
	for _, f := range fields {
		name, _, _ := strings.Cut(f.old, ":")
		for _, v := range edges {
			yaml := strings.Replace(minimal, f.old, name+": "+v, 1)
			_, err := Parse([]byte(yaml))
			if err == nil {
				t.Errorf("%s: %s: parsed, want an error", f.field, v)
				continue
			}
			if !strings.Contains(err.Error(), f.field) {
				t.Errorf("%s: %s: %v; want an error naming the field", f.field, v, err)
			}
		}
	}
	for _, extra := range []string{"fixed_monthly: 9223372036854775807\n", "debt_recovery_pct: 9223372036854775807\n"} {
		if _, err := Parse([]byte(minimal + extra)); err == nil {
			t.Errorf("%q: parsed, want an error", extra)
		}
	}
}
