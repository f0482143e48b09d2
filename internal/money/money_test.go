package money

import (
	"errors"
	"math"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
	}{
		{"10", 1000}, {"10.00", 1000}, {"10.5", 1050}, {"1,234.50", 123450},
		{"KES 1,234.50", 123450}, {"-3.20", -320}, {" 0.01 ", 1}, {".5", 50},
		{"500.000", 50000},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "abc", "1.234", "1e5", "10.0.0", "--1", ".", "KES", "1 000"} {
		if _, err := Parse(bad); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) error = %v; want ErrSyntax", bad, err)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		in   Amount
		want string
	}{
		{0, "0.00"}, {5, "0.05"}, {123450, "1,234.50"}, {-320, "-3.20"}, {100000000, "1,000,000.00"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%d.String() = %q; want %q", int64(tt.in), got, tt.want)
		}
	}
	if got := Amount(123450).Format("KES"); got != "KES 1,234.50" {
		t.Errorf("Format = %q", got)
	}
	if got := Amount(123450).Plain(); got != "1234.50" {
		t.Errorf("Plain = %q", got)
	}
}

// Whole units are checked before they are multiplied: every value whose
// minor units do not fit an int64 is an error, never a wrapped amount.
func TestFromMajorBounds(t *testing.T) {
	tests := []struct {
		in   int64
		want Amount
		ok   bool
	}{
		{0, 0, true},
		{500, 50000, true},
		{-3, -300, true},
		{MaxMajor, MaxMajor * 100, true},
		{-MaxMajor, -MaxMajor * 100, true},
		{math.MaxInt64/100 + 1, 0, false},
		{-(math.MaxInt64/100 + 1), 0, false},
		{4611686018427388004, 0, false}, // ×100 wraps to exactly 10000 (KES 100)
		{1 << 62, 0, false},
		{math.MaxInt64, 0, false},
		{math.MinInt64, 0, false},
	}
	for _, tt := range tests {
		got, err := FromMajor(tt.in)
		switch {
		case tt.ok && (err != nil || got != tt.want):
			t.Errorf("FromMajor(%d) = %d, %v; want %d", tt.in, got, err, tt.want)
		case !tt.ok && (err == nil || !errors.Is(err, ErrRange)):
			t.Errorf("FromMajor(%d) = %d, %v; want ErrRange", tt.in, got, err)
		}
	}
	defer func() {
		if recover() == nil {
			t.Errorf("MustFromMajor(MaxInt64) did not panic")
		}
	}()
	MustFromMajor(math.MaxInt64)
}

// Text at the int64 edges is refused as too large, whatever its form;
// leading zeros do not make a small amount large.
func TestParseBounds(t *testing.T) {
	for _, in := range []string{
		"9223372036854775807",  // MaxInt64 whole units
		"92233720368547758.07", // MaxInt64 minor units
		"-9223372036854775808", // MinInt64
		"9223372036854775808",  // 2^63
		"4611686018427388004",  // 2^62 + 4
		"4611686018427387904",  // 2^62
		"92233720368547759",    // MaxInt64/100 + 1
		"1000000000000000",     // 16 digits
		"KES 99,999,999,999,999,999.99",
		"18446744073709551616.00", // 2^64
	} {
		a, err := Parse(in)
		if !errors.Is(err, ErrRange) || !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %d, %v; want a too-large error", in, a, err)
		}
	}
	for in, want := range map[string]Amount{
		"999999999999999.99":     99999999999999999,
		"-999,999,999,999,999":   -99999999999999900,
		"0000000000000000000001": 100,
		"000000000000000000.5":   50,
	} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// The amounts at the int64 edges print as numbers, not as garbage.
func TestFormatBounds(t *testing.T) {
	tests := []struct {
		in         Amount
		str, plain string
	}{
		{math.MaxInt64, "92,233,720,368,547,758.07", "92233720368547758.07"},
		{math.MinInt64, "-92,233,720,368,547,758.08", "-92233720368547758.08"},
		{-1, "-0.01", "-0.01"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.str {
			t.Errorf("%d.String() = %q; want %q", int64(tt.in), got, tt.str)
		}
		if got := tt.in.Plain(); got != tt.plain {
			t.Errorf("%d.Plain() = %q; want %q", int64(tt.in), got, tt.plain)
		}
	}
}
