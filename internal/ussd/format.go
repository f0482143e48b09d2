package ussd

import (
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// groupToken writes a 20-digit token as 4-4-4-4-4, the way customers type it
// into the meter's keypad. Anything else is shown as stored.
func groupToken(digits string) string {
	if len(digits) != 20 || !allDigits(digits) {
		return digits
	}
	var b strings.Builder
	for i := 0; i < 20; i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(digits[i : i+4])
	}
	return b.String()
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// amount writes "KES 500" for whole shillings, "KES 500.50" otherwise.
func (s *session) amount(a money.Amount) string {
	v := a.String()
	if a.IsWhole() {
		v = strings.TrimSuffix(v, ".00")
	}
	return s.h.opts.Currency + " " + v
}

// when writes a time as "04/01/21 21:32" in the operator's zone: day first, as
// East Africa writes dates, and short enough for three tokens a screen.
func (s *session) when(t time.Time) string {
	return t.In(s.h.opts.Location).Format("02/01/06 15:04")
}

func (s *session) day(t time.Time) string {
	return t.In(s.h.opts.Location).Format("02/01/06")
}

// maxLabel bounds a meter label or owner name on a screen.
const maxLabel = 16

// meterName is "54500320905 Home": the number the customer can check on the
// meter, and the name they gave it.
func meterName(m meterRef) string {
	if m.Label == "" {
		return m.DRN
	}
	return m.DRN + " " + clip(m.Label, maxLabel)
}
