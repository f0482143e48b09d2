package sts

import (
	"errors"
	"fmt"
	"strconv"
)

// DRN is a decoder reference number, the meter number a customer quotes:
// 11 digits (manufacturer code 2, serial 8, Luhn check digit) or 13 digits
// (manufacturer code 4, serial 8, check digit). Only ParseDRN makes one.
type DRN string

// ErrCheckDigit reports a meter number whose check digit does not match;
// CheckDigitError carries the detail.
var ErrCheckDigit = errors.New("check digit does not match")

// CheckDigitError says which digit was typed and which one was expected, so
// staff can tell a mistyped number from a meter that does not exist.
type CheckDigitError struct {
	Number    string
	Got, Want byte // digits, '0'..'9'
}

func (e *CheckDigitError) Error() string {
	return fmt.Sprintf("meter number %s: check digit is %c, expected %c (mistyped?)", e.Number, e.Got, e.Want)
}

func (e *CheckDigitError) Unwrap() error { return ErrCheckDigit }

// ParseDRN checks a meter number typed by a person: 11 or 13 digits, spaces
// and dashes allowed, with a valid Luhn check digit.
func ParseDRN(s string) (DRN, error) {
	var d [13]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n < len(d) {
				d[n] = c
			}
			n++
		case c == ' ' || c == '-':
		default:
			return "", fmt.Errorf("meter number %q: only digits are allowed", s)
		}
	}
	if n != 11 && n != 13 {
		return "", fmt.Errorf("meter number %q: %d digits, want 11 or 13", s, n)
	}
	num := string(d[:n])
	if want := luhnDigit(num[:n-1]); num[n-1] != want {
		return "", &CheckDigitError{Number: num, Got: num[n-1], Want: want}
	}
	return DRN(num), nil
}

// luhnDigit returns the Luhn check digit for a string of decimal digits.
func luhnDigit[S ~string | ~[]byte](digits S) byte {
	sum := 0
	double := true // the digit next to the check digit is doubled
	for i := len(digits) - 1; i >= 0; i-- {
		v := int(digits[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// WithCheckDigit appends the Luhn check digit to a manufacturer code and
// serial (10 or 12 digits), for making test meters.
func WithCheckDigit(digits string) (DRN, error) {
	if len(digits) != 10 && len(digits) != 12 {
		return "", fmt.Errorf("meter number without check digit %q: %d digits, want 10 or 12", digits, len(digits))
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", fmt.Errorf("meter number %q: only digits are allowed", digits)
		}
	}
	return DRN(digits + string(luhnDigit(digits))), nil
}

// Manufacturer is the manufacturer code: 2 digits of an 11-digit DRN, 4 of a
// 13-digit one.
func (d DRN) Manufacturer() string {
	if len(d) == 13 {
		return string(d[:4])
	}
	if len(d) == 11 {
		return string(d[:2])
	}
	return ""
}

// IIN is the issuer identification number that prefixes the DRN in the
// MeterPAN: 600727 for 11-digit DRNs, 0000 for 13-digit ones.
func (d DRN) IIN() string {
	if len(d) == 13 {
		return "0000"
	}
	return "600727"
}

// PAN is the 18-digit MeterPAN: IIN, DRN and a Luhn check digit over both.
func (d DRN) PAN() string {
	var b [18]byte
	return string(d.appendPAN(b[:0]))
}

func (d DRN) appendPAN(dst []byte) []byte {
	n := len(dst)
	dst = append(dst, d.IIN()...)
	dst = append(dst, d...)
	return append(dst, luhnDigit(dst[n:]))
}

// Grouped formats the number for people: "0123 4567 890" or "0123 4567 8901 2".
func (d DRN) Grouped() string {
	b := make([]byte, 0, len(d)+3)
	for i := 0; i < len(d); i++ {
		if i > 0 && i%4 == 0 {
			b = append(b, ' ')
		}
		b = append(b, d[i])
	}
	return string(b)
}

// Meter is what token generation needs to know about a meter: who it is and
// the parameters of the decoder key it holds.
type Meter struct {
	DRN DRN
	// SGC is the supply group code, 6 digits.
	SGC uint32
	// TI is the tariff index, 0-99.
	TI uint8
	// KRN is the key revision number, 1-9.
	KRN uint8
	// KT is the key type: 0 initialisation, 1 default, 2 unique, 3 common.
	KT uint8
	// KEN is the key expiry number: the meter refuses tokens whose TID's top
	// 8 bits exceed it. 255 disables the check; 0 is a real (very early)
	// expiry, not "unset".
	KEN uint8
	// BaseDate is the key's TID base date.
	BaseDate BaseDate
	// Algorithm encrypts the meter's tokens: EA07 or EA11.
	Algorithm Algorithm
	// DKGA derives the meter's decoder key: DKGA02 or DKGA04.
	DKGA DKGA
}

// NoKeyExpiry is the KEN that disables the key expiry check.
const NoKeyExpiry uint8 = 255

// Validate checks every field's range, naming the first one that is wrong.
func (m Meter) Validate() error {
	switch {
	case len(m.DRN) != 11 && len(m.DRN) != 13:
		return fmt.Errorf("meter: number %q: want 11 or 13 digits (use ParseDRN)", string(m.DRN))
	case m.SGC > 999999:
		return fmt.Errorf("meter %s: supply group code %d: more than 6 digits", m.DRN, m.SGC)
	case m.TI > 99:
		return fmt.Errorf("meter %s: tariff index %d: want 0-99", m.DRN, m.TI)
	case m.KRN < 1 || m.KRN > 9:
		return fmt.Errorf("meter %s: key revision number %d: want 1-9", m.DRN, m.KRN)
	case m.KT > 3:
		return fmt.Errorf("meter %s: key type %d: want 0-3", m.DRN, m.KT)
	case !m.BaseDate.Valid():
		return fmt.Errorf("meter %s: base date %d: want 1993, 2014 or 2035", m.DRN, uint16(m.BaseDate))
	case !m.Algorithm.Valid():
		return fmt.Errorf("meter %s: algorithm %d: want EA07 or EA11", m.DRN, uint8(m.Algorithm))
	case m.DKGA != DKGA02 && m.DKGA != DKGA04:
		return fmt.Errorf("meter %s: key generation algorithm %d: want 02 or 04", m.DRN, uint8(m.DKGA))
	case m.DKGA == DKGA02 && m.Algorithm != EA07:
		return fmt.Errorf("meter %s: DKGA02 makes 64-bit keys, %s needs DKGA04", m.DRN, m.Algorithm)
	}
	for i := 0; i < len(m.DRN); i++ {
		if m.DRN[i] < '0' || m.DRN[i] > '9' {
			return fmt.Errorf("meter: number %q: only digits are allowed (use ParseDRN)", string(m.DRN))
		}
	}
	return nil
}

// checkExpiry refuses a TID the meter would reject under its KEN.
func (m Meter) checkExpiry(tid TID) error {
	if m.KEN != NoKeyExpiry && uint8(tid>>16) > m.KEN {
		return fmt.Errorf("meter %s: TID %d is past the key expiry number %d; the meter needs a key change first", m.DRN, tid, m.KEN)
	}
	return nil
}

// ParseSGC reads a supply group code: up to 6 digits.
func ParseSGC(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || len(s) > 6 {
		return 0, fmt.Errorf("supply group code %q: want up to 6 digits", s)
	}
	return uint32(v), nil
}
