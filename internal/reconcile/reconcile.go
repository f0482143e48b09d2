// Package reconcile holds Mteja's payments to M-Pesa's own records of them:
// the organisation statement the business portal exports and the Pull API.
// Every difference is an exception with its action. What is safe is done at
// once, on M-Pesa's record: a payment M-Pesa took whose confirmation never
// reached Mteja is recorded (keyed on its receipt, so it is vended once
// however often it turns up) for the meter its record names, or for the
// meter of the STK push it paid, or in suspense when it names none. The
// rest waits for a finance user: a payment Mteja has that M-Pesa does not,
// amounts that differ, a reversal M-Pesa made. Every action is audited.
//
// A day's close fixes its figures; what changes them later is a dated
// correction of its own.
package reconcile

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment/mpesa"
)

// Kinds of M-Pesa record.
const (
	KindPayment  = "payment"  // a customer's payment to the short code
	KindCharge   = "charge"   // M-Pesa's charge on a transaction
	KindReversal = "reversal" // money M-Pesa returned; Linked names what it reversed
	KindOther    = "other"    // anything else: transfers, withdrawals
)

// Sources of M-Pesa records.
const (
	SourceStatement = "statement"
	SourcePull      = "pull"
)

// System is the actor of what reconciliation does by itself, in the audit
// log and on exceptions.
const System = "system:reconcile"

// Record is one transaction as M-Pesa records it: a row of an organisation
// statement or of the Pull API.
type Record struct {
	Line        int // the statement's line; 0 for a pull
	Receipt     string
	Kind        string
	Status      string // "Completed", ...; "" when the source does not say
	CompletedAt time.Time
	InitiatedAt time.Time
	Details     string
	// Amount is what the record moved, positive: paid in for a payment,
	// withdrawn for the others.
	Amount     money.Amount
	ReasonType string
	Payer      string // the payer's number, or the mask M-Pesa shows
	PayerName  string
	AccountRef string // what the customer typed (A/C No., billreference)
	Linked     string // the receipt a charge or reversal belongs to
}

// where names the record in messages: its line, or its source.
func (r Record) where(source string) string {
	if r.Line > 0 {
		return fmt.Sprintf("line %d", r.Line)
	}
	return source
}

// completed reports whether the record is of money that moved.
func (r Record) completed() bool {
	return r.Status == "" || strings.EqualFold(r.Status, "completed")
}

// Day is the business day of t: its date in East Africa Time.
func Day(t time.Time) string { return t.In(mpesa.EAT).Format(time.DateOnly) }

// ErrDay is wrapped by the error for text that is not a day.
var ErrDay = errors.New("not a day")

// ParseDay reads a day written YYYY-MM-DD and returns its first instant.
func ParseDay(s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), mpesa.EAT)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q: want YYYY-MM-DD", ErrDay, truncate(s, 20))
	}
	return t, nil
}

// truncate cuts text for messages; store.Truncate does so for columns.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
