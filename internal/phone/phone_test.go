package phone

import (
	"errors"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, in := range []string{"0708374149", "708374149", "254708374149", "+254708374149", "+254 708 374 149", "0708-374-149", "00254708374149"} {
		got, err := Normalize(in)
		if err != nil || got != "254708374149" {
			t.Errorf("Normalize(%q) = %q, %v", in, got, err)
		}
	}
	if got, err := Normalize("0110123456"); err != nil || got != "254110123456" {
		t.Errorf("Normalize(011..) = %q, %v", got, err)
	}
	if got, err := Normalize("+255712345678"); err != nil || got != "255712345678" {
		t.Errorf("Normalize(TZ) = %q, %v", got, err)
	}
	for _, bad := range []string{"", "abc", "12345", "2547 ***** 149", "0208374149", "25470837414", "+1"} {
		if _, err := Normalize(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Normalize(%q) error = %v; want ErrInvalid", bad, err)
		}
	}
}

func TestMask(t *testing.T) {
	if got := Mask("254708374149"); got != "2547*****149" {
		t.Errorf("Mask = %q", got)
	}
	h := "bbff37cea44ac0b2d964ee0dfb8d2df8513dc7ba1b36129a929fc3fbd6dd4af4"
	if !IsHash(h) || IsHash("254708374149") {
		t.Error("IsHash")
	}
	if !IsMasked("2547 ***** 149") || IsMasked("254708374149") {
		t.Error("IsMasked")
	}
}

func TestFits(t *testing.T) {
	for _, c := range []struct {
		mask, msisdn string
		want         bool
	}{
		{"2547 ***** 149", "254708374149", true},
		{"2547*****149", "254708374149", true},
		{"254708***149", "254708374149", true},
		{"2547*****148", "254708374149", false},
		{"2547****149", "254708374149", false},  // one digit short
		{"254708374149", "254708374149", false}, // not a mask
		{"2547*****149", "", false},
	} {
		if got := Fits(c.mask, c.msisdn); got != c.want {
			t.Errorf("Fits(%q, %q) = %v, want %v", c.mask, c.msisdn, got, c.want)
		}
	}
}
