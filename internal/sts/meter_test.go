package sts

import (
	"errors"
	"strings"
	"testing"
)

func TestParseDRN(t *testing.T) {
	for in, want := range map[string]DRN{
		"00000000000":       "00000000000",
		"0100000000008":     "0100000000008",
		"0123 4567 897":     "01234567897",
		"01-2345-6789-7":    "01234567897",
		"04040404040":       "04040404040",
		"4712 3456 7890 4 ": "4712345678904",
	} {
		got, err := ParseDRN(in)
		if err != nil || got != want {
			t.Errorf("ParseDRN(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0123456789", "012345678901", "01234567897a", "01234567898000"} {
		if _, err := ParseDRN(in); err == nil {
			t.Errorf("ParseDRN(%q) accepted", in)
		}
	}
}

func TestParseDRNCheckDigit(t *testing.T) {
	_, err := ParseDRN("01234567890")
	var cd *CheckDigitError
	if !errors.As(err, &cd) || !errors.Is(err, ErrCheckDigit) {
		t.Fatalf("err = %v, want a CheckDigitError", err)
	}
	if cd.Got != '0' || cd.Want != '7' {
		t.Errorf("got %c want %c, expected 0 and 7", cd.Got, cd.Want)
	}
	if !strings.Contains(err.Error(), "expected 7") {
		t.Errorf("message %q does not name the expected digit", err)
	}
}

func TestWithCheckDigit(t *testing.T) {
	for _, s := range []string{"0123456789", "471234567890"} {
		d, err := WithCheckDigit(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseDRN(string(d)); err != nil {
			t.Errorf("WithCheckDigit(%s) = %s, not valid: %v", s, d, err)
		}
	}
	if _, err := WithCheckDigit("01234"); err == nil {
		t.Error("5 digits accepted")
	}
}

func TestMeterPAN(t *testing.T) {
	tests := []struct {
		drn       DRN
		pan, iin  string
		mfr, grpd string
	}{
		{"00000000000", "600727000000000009", "600727", "00", "0000 0000 000"},
		{"0100000000008", "000001000000000082", "0000", "0100", "0100 0000 0000 8"},
	}
	for _, tt := range tests {
		if got := tt.drn.PAN(); got != tt.pan {
			t.Errorf("%s: PAN = %s, want %s", tt.drn, got, tt.pan)
		}
		if tt.drn.IIN() != tt.iin || tt.drn.Manufacturer() != tt.mfr || tt.drn.Grouped() != tt.grpd {
			t.Errorf("%s: IIN %s, manufacturer %s, grouped %q", tt.drn, tt.drn.IIN(), tt.drn.Manufacturer(), tt.drn.Grouped())
		}
	}
}

func TestMeterValidate(t *testing.T) {
	good := Meter{DRN: "01234567897", SGC: 123456, TI: 1, KRN: 1, KT: 2, KEN: 255, BaseDate: Base1993, Algorithm: EA07, DKGA: DKGA02}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*Meter)
		want   string
	}{
		{"DRN", func(m *Meter) { m.DRN = "123" }, "11 or 13"},
		{"DRN letters", func(m *Meter) { m.DRN = "0123456789x" }, "only digits"},
		{"SGC", func(m *Meter) { m.SGC = 1000000 }, "supply group"},
		{"TI", func(m *Meter) { m.TI = 100 }, "tariff index"},
		{"KRN 0", func(m *Meter) { m.KRN = 0 }, "key revision"},
		{"KRN 10", func(m *Meter) { m.KRN = 10 }, "key revision"},
		{"KT", func(m *Meter) { m.KT = 4 }, "key type"},
		{"base date", func(m *Meter) { m.BaseDate = 2000 }, "base date"},
		{"algorithm", func(m *Meter) { m.Algorithm = 9 }, "algorithm"},
		{"DKGA", func(m *Meter) { m.DKGA = 3 }, "key generation"},
		{"DKGA02 with EA11", func(m *Meter) { m.Algorithm = EA11 }, "DKGA04"},
	}
	for _, tt := range tests {
		m := good
		tt.change(&m)
		err := m.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
}
