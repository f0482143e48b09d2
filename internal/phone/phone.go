// Package phone normalises mobile numbers (MSISDNs) and masks them for logs.
//
// Mteja stores numbers as international digits without '+' ("254708374149"),
// the form SMPP destination addresses and Daraja use. M-Pesa C2B payloads no
// longer carry a usable number (a SHA-256 hash or a mask), so the package also
// recognises those forms, which must never be mistaken for a number.
package phone

import (
	"errors"
	"fmt"
	"strings"
)

// DefaultCountry is the calling code assumed for national numbers ("07..").
const DefaultCountry = "254"

// ErrInvalid is wrapped by every Normalize error.
var ErrInvalid = errors.New("invalid phone number")

// Normalize accepts 0712345678, 712345678, 254712345678, +254712345678 and
// the same with spaces or dashes, and returns "254712345678". Numbers of other
// countries in international form (with '+' or 00) are kept as given.
func Normalize(s string) (string, error) {
	orig := s
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '.':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	intl := false
	switch {
	case strings.HasPrefix(s, "+"):
		s, intl = s[1:], true
	case strings.HasPrefix(s, "00"):
		s, intl = s[2:], true
	}
	if s == "" {
		return "", fmt.Errorf("%w: %q is empty", ErrInvalid, orig)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", fmt.Errorf("%w: %q has characters other than digits", ErrInvalid, orig)
		}
	}
	switch {
	case intl:
	case strings.HasPrefix(s, DefaultCountry) && len(s) == 12:
	case strings.HasPrefix(s, "0") && len(s) == 10:
		s = DefaultCountry + s[1:]
	case len(s) == 9 && (s[0] == '7' || s[0] == '1'):
		s = DefaultCountry + s
	default:
		return "", fmt.Errorf("%w: %q is not a mobile number", ErrInvalid, orig)
	}
	if len(s) < 8 || len(s) > 15 {
		return "", fmt.Errorf("%w: %q has the wrong length", ErrInvalid, orig)
	}
	if strings.HasPrefix(s, DefaultCountry) && (len(s) != 12 || (s[3] != '7' && s[3] != '1')) {
		return "", fmt.Errorf("%w: %q is not a Kenyan mobile number", ErrInvalid, orig)
	}
	return s, nil
}

// Mask hides the middle of a number for logs and screens: "2547****149".
func Mask(msisdn string) string {
	if IsHash(msisdn) {
		return msisdn[:8] + "…"
	}
	if len(msisdn) < 8 {
		return strings.Repeat("*", len(msisdn))
	}
	return msisdn[:4] + strings.Repeat("*", len(msisdn)-7) + msisdn[len(msisdn)-3:]
}

// IsHash reports whether s is a 64-character hex digest, the form M-Pesa C2B
// v1 sends instead of the payer's number.
func IsHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// IsMasked reports whether s is a masked number such as "2547 ***** 149", the
// form M-Pesa C2B v2 sends.
func IsMasked(s string) bool { return strings.Contains(s, "*") }

// Fits reports whether a masked number as M-Pesa shows it ("2547 ***** 149",
// "2547****149") could be msisdn: the same number of digits, and every digit
// shown the same. A mask shows too little to tell two numbers apart that
// share those digits; callers that pick a record by it must find only one.
func Fits(mask, msisdn string) bool {
	mask = strings.ReplaceAll(mask, " ", "")
	if !IsMasked(mask) || len(mask) != len(msisdn) {
		return false
	}
	for i := range len(mask) {
		if mask[i] != '*' && mask[i] != msisdn[i] {
			return false
		}
	}
	return true
}
