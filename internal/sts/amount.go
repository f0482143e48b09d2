package sts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Amount is the 16-bit coded amount field: exponent (2 bits) and mantissa
// (14 bits). It holds tenths of a unit in credit tokens (0.1 kWh for
// electricity) and watts in power limit tokens.
type Amount uint16

// MaxAmountValue is the largest value the field can carry (1,820,162.4 units).
const MaxAmountValue uint64 = 18201624

// ErrAmountRange reports a value above MaxAmountValue.
var ErrAmountRange = errors.New("amount too large for an STS token")

const mantissaMax = 1<<14 - 1

// pow10 and offsets: value = m·10^e + offset[e], offset[e] = Σ_{n=1..e} 2^14·10^(n-1).
var (
	pow10  = [4]uint64{1, 10, 100, 1000}
	offset = [4]uint64{0, 16384, 180224, 1818624}
)

// EncodeAmount codes a value (tenths of a unit, or watts) with the smallest
// exponent that holds it. A value the field cannot express exactly is rounded
// up to the next one it can: the customer never gets less than was paid for.
func EncodeAmount(v uint64) (Amount, error) {
	if v > MaxAmountValue {
		return 0, fmt.Errorf("amount %d: above the largest STS amount %d: %w", v, MaxAmountValue, ErrAmountRange)
	}
	for e := range uint64(4) {
		if v < offset[e] {
			// Only reached when rounding pushed past the previous exponent's
			// top; the smallest value of this exponent is the answer.
			return Amount(e << 14), nil
		}
		m := (v - offset[e] + pow10[e] - 1) / pow10[e]
		if m <= mantissaMax {
			return Amount(e<<14 | m), nil
		}
	}
	return 0, fmt.Errorf("amount %d: %w", v, ErrAmountRange) // unreachable: v ≤ MaxAmountValue
}

// RoundAmount is the value a token for v actually carries (v rounded up).
func RoundAmount(v uint64) (uint64, error) {
	a, err := EncodeAmount(v)
	if err != nil {
		return 0, err
	}
	return a.Value(), nil
}

// Value decodes the field: tenths of a unit, or watts.
func (a Amount) Value() uint64 {
	e := uint64(a >> 14)
	m := uint64(a & mantissaMax)
	return m*pow10[e] + offset[e]
}

// ParseTenths reads a quantity typed with at most one decimal ("25.6",
// "25") as tenths of a unit (256, 250), in integers.
func ParseTenths(s string) (uint64, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	bad := whole == "" || len(whole) > 12 || (hasDot && (len(frac) != 1 || frac[0] < '0' || frac[0] > '9'))
	var w uint64
	if !bad {
		var err error
		w, err = strconv.ParseUint(whole, 10, 64)
		bad = err != nil
	}
	if bad {
		return 0, fmt.Errorf("quantity %q: want a number with at most one decimal, like 25.6", s)
	}
	t := w * 10
	if hasDot {
		t += uint64(frac[0] - '0')
	}
	return t, nil
}

// FormatTenths writes tenths of a unit with one decimal: 256 as "25.6".
func FormatTenths(t uint64) string {
	return strconv.FormatUint(t/10, 10) + "." + strconv.FormatUint(t%10, 10)
}
