// Package money holds amounts as integer minor units. Floats never hold money:
// a tariff that multiplies a rate by energy works in integers and rounds once,
// at a documented place, so that receipts add up to the cent.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is a sum of money in minor units (cents for KES). The currency is
// carried beside it where it matters (a tariff, a payment); Mteja runs one
// currency per deployment, so arithmetic stays plain int64 arithmetic.
type Amount int64

// MinorPerMajor is 100 for every currency Mteja serves (KES, UGX is 1 but not
// served yet; TZS and RWF price in whole units and still accept two decimals).
const MinorPerMajor = 100

// MaxMajor is the most whole units an Amount holds, either way of zero.
const MaxMajor = math.MaxInt64 / MinorPerMajor

// ErrRange is wrapped by the errors for amounts too large to hold.
var ErrRange = errors.New("amount out of range")

// FromMajor builds an amount from whole units (shillings). Whole units
// beyond MaxMajor either way are an error wrapping ErrRange: multiplied
// unchecked, 46116860184273880.04 shillings would wrap around to 100.
func FromMajor(n int64) (Amount, error) {
	if n > MaxMajor || n < -MaxMajor {
		return 0, fmt.Errorf("%w: %d is beyond %d whole units", ErrRange, n, int64(MaxMajor))
	}
	return Amount(n * MinorPerMajor), nil
}

// MustFromMajor is FromMajor for constants; it panics out of range.
func MustFromMajor(n int64) Amount {
	a, err := FromMajor(n)
	if err != nil {
		panic(err)
	}
	return a
}

// Major returns the whole units, truncated toward zero.
func (a Amount) Major() int64 { return int64(a) / MinorPerMajor }

// IsWhole reports whether the amount has no cents; M-Pesa C2B and STK amounts
// are whole shillings.
func (a Amount) IsWhole() bool { return int64(a)%MinorPerMajor == 0 }

// abs splits a into its sign ("" or "-") and magnitude; the magnitude is
// unsigned, since the most negative int64 has no positive counterpart.
func (a Amount) abs() (string, uint64) {
	if a < 0 {
		return "-", -uint64(a)
	}
	return "", uint64(a)
}

// String formats as "1,234.50" (no currency).
func (a Amount) String() string {
	sign, n := a.abs()
	whole := strconv.FormatUint(n/MinorPerMajor, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%s.%02d", sign, b.String(), n%MinorPerMajor)
}

// Format formats with a currency prefix: "KES 1,234.50".
func (a Amount) Format(currency string) string { return currency + " " + a.String() }

// Plain formats without thousands separators, as protocols want: "1234.50".
func (a Amount) Plain() string {
	sign, n := a.abs()
	return fmt.Sprintf("%s%d.%02d", sign, n/MinorPerMajor, n%MinorPerMajor)
}

// ErrSyntax is wrapped by every Parse error.
var ErrSyntax = errors.New("not an amount")

// Parse reads "10", "10.5", "10.00", "1,234.50", "KES 1,234.50" or "-3.20".
// More than two decimals is an error rather than a silent rounding: money that
// arrives with sub-cent precision means a misread field.
func Parse(s string) (Amount, error) {
	orig := s
	s = strings.TrimSpace(s)
	for _, cur := range []string{"KES", "KSh", "Ksh", "KSH", "TZS", "UGX", "RWF"} {
		if strings.HasPrefix(s, cur) {
			s = strings.TrimSpace(s[len(cur):])
			break
		}
	}
	s = strings.ReplaceAll(s, ",", "")
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	if s == "" {
		return 0, fmt.Errorf("%w: %q is empty", ErrSyntax, orig)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && !hasDot {
		return 0, fmt.Errorf("%w: %q", ErrSyntax, orig)
	}
	if len(frac) > 2 {
		if strings.Trim(frac[2:], "0") != "" {
			return 0, fmt.Errorf("%w: %q has more than two decimals", ErrSyntax, orig)
		}
		frac = frac[:2]
	}
	if hasDot && frac == "" && whole == "" {
		return 0, fmt.Errorf("%w: %q", ErrSyntax, orig)
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("%w: %q", ErrSyntax, orig)
			}
		}
	}
	// Fifteen digits of whole units are far beyond any payment and keep
	// every amount parsed well inside int64; leading zeros do not count.
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 15 {
		return 0, fmt.Errorf("%w: %q: %w (at most 15 digits of whole units)", ErrSyntax, orig, ErrRange)
	}
	var w int64
	if whole != "" {
		w, _ = strconv.ParseInt(whole, 10, 64)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	n := w*MinorPerMajor + f
	if neg {
		n = -n
	}
	return Amount(n), nil
}
