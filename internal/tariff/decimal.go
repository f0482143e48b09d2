package tariff

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Rate is a price per kWh in 1/10000 of the currency's major unit:
// KES 12.2200/kWh is 122200. Gazetted rates carry four decimals, and holding
// them as integers keeps every receipt exact.
type Rate int64

// RateScale is the number of Rate units in one major unit per kWh.
const RateScale = 10_000

// String formats the rate with its four decimals, as gazetted: "12.2200".
func (r Rate) String() string { return formatScaled(int64(r), 4) }

// Fraction is a proportion in parts per million: 16% is 160000. Levies and
// VAT are whole or half percents today; parts per million leave room for
// gazettes that go further without ever rounding a configured figure.
type Fraction int64

// Whole is 100% as a Fraction.
const Whole Fraction = 1_000_000

// String formats as a percentage without trailing zeros: "16%", "1.25%".
func (f Fraction) String() string {
	s := formatScaled(int64(f), 4)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	return s + "%"
}

// maxDigits bounds the integer part of any decimal in a tariff file, so that
// every scaled value fits an int64 with room for arithmetic.
const maxDigits = 12

var errDecimal = errors.New("not a plain decimal number")

// parseDecimal reads a non-negative decimal such as "12.2200", "30" or "0.05"
// into an integer scaled by 10^places, straight from the text: going through
// float64 would turn 0.0125 into 0.012499999... and a rate into a guess.
// Trailing zeros beyond places are accepted; other extra digits are an error,
// since silently rounding a configured rate would misprice every sale.
func parseDecimal(s string, places int) (int64, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("%q is %w (want digits with an optional point, like 12.2200)", s, errDecimal)
	}
	if len(frac) > places {
		if strings.Trim(frac[places:], "0") != "" {
			return 0, fmt.Errorf("%q has more than %d decimal places", s, places)
		}
		frac = frac[:places]
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > maxDigits {
		return 0, fmt.Errorf("%q is too large", s)
	}
	frac += strings.Repeat("0", places-len(frac))
	n, err := strconv.ParseInt("0"+whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseRate reads a price per kWh with up to four decimals.
func parseRate(s string) (Rate, error) {
	n, err := parseDecimal(s, 4)
	return Rate(n), err
}

// parseFraction reads either a decimal fraction ("0.16", as the published
// schedules write it) or a percentage ("16%"). Range is checked by Validate,
// which knows what the figure is for.
func parseFraction(s string) (Fraction, error) {
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		n, err := parseDecimal(strings.TrimSpace(pct), 4)
		return Fraction(n), err
	}
	n, err := parseDecimal(s, 6)
	return Fraction(n), err
}

// parseKWh reads an energy in kWh with up to three decimals into Wh.
func parseKWh(s string) (int64, error) { return parseDecimal(s, 3) }

// formatScaled formats a non-negative integer scaled by 10^places.
func formatScaled(n int64, places int) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := strconv.FormatInt(n, 10)
	if len(s) <= places {
		s = strings.Repeat("0", places-len(s)+1) + s
	}
	return sign + s[:len(s)-places] + "." + s[len(s)-places:]
}

// formatKWh shows Wh as kWh with two decimals, rounded half up: 6125 Wh is
// "6.13". Rounding to the nearest 10 Wh never shows more than the token,
// which rounds up to the next 100 Wh.
func formatKWh(wh int64) string {
	return formatScaled((wh+5)/10, 2)
}
