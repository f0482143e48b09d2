package money

import (
	"errors"
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
