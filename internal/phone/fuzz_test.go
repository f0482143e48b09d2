package phone

import "testing"

// FuzzNormalize checks that a normalised number is digits only and
// normalises to itself.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"0708374149", "+254 708 374 149", "2547 ***** 149", "00255712345678", "", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Normalize(s)
		if err != nil {
			return
		}
		for _, c := range n {
			if c < '0' || c > '9' {
				t.Fatalf("Normalize(%q) = %q: not digits", s, n)
			}
		}
		if m, err := Normalize("+" + n); err != nil || m != n {
			t.Fatalf("Normalize(+%q) = %q, %v; want itself", n, m, err)
		}
		Mask(n)
	})
}
