package tariff

import (
	"strings"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		places int
		want   int64
		err    string
	}{
		{"12.2200", 4, 122200, ""},
		{"12.22", 4, 122200, ""},
		{"0.0125", 4, 125, ""},
		{"30", 3, 30000, ""},
		{"007.5", 4, 75000, ""},
		{"0.05", 6, 50000, ""},
		{"1.50000000", 4, 15000, ""}, // trailing zeros beyond the places are harmless
		{"999999999999.9999", 4, 9999999999999999, ""},
		{"12.22001", 4, 0, "more than 4 decimal places"},
		{"0.0000001", 6, 0, "more than 6 decimal places"},
		{"1000000000000", 4, 0, "too large"},
		{"", 4, 0, "not a plain decimal"},
		{".5", 4, 0, "not a plain decimal"},
		{"5.", 4, 0, "not a plain decimal"},
		{"-1", 4, 0, "not a plain decimal"},
		{"+1", 4, 0, "not a plain decimal"},
		{"1e3", 4, 0, "not a plain decimal"},
		{"12,22", 4, 0, "not a plain decimal"},
		{"1.2.3", 4, 0, "not a plain decimal"},
		{".inf", 4, 0, "not a plain decimal"},
		{"0x10", 4, 0, "not a plain decimal"},
		{" 1", 4, 0, "not a plain decimal"},
	}
	for _, tt := range tests {
		got, err := parseDecimal(tt.in, tt.places)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseDecimal(%q) = %d, %v; want error containing %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseDecimal(%q, %d) = %d, %v; want %d", tt.in, tt.places, got, err, tt.want)
		}
	}
}

func TestParseFraction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Fraction
	}{
		{"0.16", 160000}, {"16%", 160000}, {"16 %", 160000}, {"0.05", 50000}, {"1.25%", 12500},
		{"0", 0}, {"1", Whole}, {"100%", Whole}, {"0.000001", 1}, {"0.0001%", 1},
	}
	for _, tt := range tests {
		if got, err := parseFraction(tt.in); err != nil || got != tt.want {
			t.Errorf("parseFraction(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"16%%", "%", "0.1234567", "0.00001%", "sixteen"} {
		if got, err := parseFraction(bad); err == nil {
			t.Errorf("parseFraction(%q) = %d; want an error", bad, got)
		}
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{Rate(122200).String(), "12.2200"},
		{Rate(125).String(), "0.0125"},
		{Rate(0).String(), "0.0000"},
		{Fraction(160000).String(), "16%"},
		{Fraction(12500).String(), "1.25%"},
		{Fraction(1).String(), "0.0001%"},
		{Fraction(0).String(), "0%"},
		{formatKWh(6125), "6.13"},
		{formatKWh(6124), "6.12"},
		{formatKWh(0), "0.00"},
		{formatKWh(4), "0.00"},
		{formatKWh(5), "0.01"},
		{formatKWh(118308), "118.31"},
		{KWhText(30000), "30"},
		{KWhText(30500), "30.5"},
		{KWhText(1), "0.001"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: %q; want %q", i, tt.got, tt.want)
		}
	}
}
