package money

import "testing"

// FuzzParse checks that any text either fails with ErrSyntax or parses to an
// amount that prints back to the same value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"10", "1,234.50", "KES 1,234.50", "-3.20", ".5", "500.000", "1e5", "", "999999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		b, err := Parse(a.Plain())
		if err != nil || a != b {
			t.Fatalf("Parse(%q) = %d, but Parse(%q) = %d, %v", s, a, a.Plain(), b, err)
		}
	})
}
