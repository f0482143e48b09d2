// Package ussd is the USSD self-service channel: the menus a customer reaches
// by dialling the operator's code, and the handler for the gateway callback.
//
// Every request carries everything the caller typed this session, so the menus
// keep no state between requests: the screen is found by replaying the whole
// path from the home screen. A resent request therefore gets the same screen,
// and the few steps that change something (buy, re-send, report, language) run
// at most once per session and path.
package ussd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// Backend is what the menus need from the rest of Mteja. Reads may be called
// again when a request is replayed; the methods that change something are
// called at most once per session and path. Every method gets the request's
// context and should give up when it ends.
type Backend interface {
	// MetersForPhone returns the meters registered to msisdn in a stable order,
	// since the menus number them. None is an empty slice, not an error.
	MetersForPhone(ctx context.Context, msisdn string) ([]Meter, error)
	// CheckMeter checks a meter number msisdn typed. It returns an error
	// wrapping ErrMeterInvalid when the check digit is wrong,
	// ErrMeterNotFound when no such meter is served, and ErrTooMany when the
	// caller has looked up too many meters that are not theirs lately.
	CheckMeter(ctx context.Context, msisdn, drn string) (MeterCheck, error)
	// LastTokens returns up to n tokens of the meter, newest first; a
	// purchase's key-change tokens come before its credit token. For a
	// meter that is not msisdn's, only the digits and times are filled:
	// a token is of use only in its meter, but what was bought is the
	// owner's business.
	LastTokens(ctx context.Context, msisdn, drn string, n int) ([]Token, error)
	// ResendTokens queues an SMS to msisdn with the meter's last n tokens;
	// msisdn must be one of the meter's registered phones.
	ResendTokens(ctx context.Context, msisdn, drn string, n int) error
	// BuyLimits returns the smallest and largest amount the meter may be sold
	// now. Max zero means no upper limit.
	BuyLimits(ctx context.Context, drn string) (Limits, error)
	// BuyToken starts an M-Pesa STK push to msisdn for the meter. An amount
	// outside the limits returns a *LimitError.
	BuyToken(ctx context.Context, msisdn, drn string, amount money.Amount) error
	// FindPayment looks a payment up by its M-Pesa receipt code. When Mteja
	// does not know it, the backend asks Daraja (transaction status) and
	// answers PaymentPending; calling it again for the same code must not
	// start a second query. An error wrapping ErrTooMany says the caller
	// asked about too many unknown codes lately.
	FindPayment(ctx context.Context, msisdn, receipt string) (PaymentLookup, error)
	// RecentPurchases returns up to n purchases of the meter, newest first;
	// an error wrapping ErrNotYours when the meter is not msisdn's.
	RecentPurchases(ctx context.Context, msisdn, drn string, n int) ([]Purchase, error)
	// ReportFault opens a fault ticket and returns its reference.
	ReportFault(ctx context.Context, msisdn, drn string, kind FaultKind, note string) (ref string, err error)
	// OutageStatus returns a short text about outages affecting the meter's
	// area, in lang, or "" when none is known.
	OutageStatus(ctx context.Context, msisdn, drn, lang string) (string, error)
	// MeterMessages returns what meters show after a token, each named
	// and explained in lang, in the order to list them.
	MeterMessages(ctx context.Context, lang string) ([]MeterMessage, error)
	// Language returns the caller's language ("en" or "sw"), or "" when the
	// caller has not chosen one.
	Language(ctx context.Context, msisdn string) (string, error)
	// SetLanguage stores the caller's language, "en" or "sw".
	SetLanguage(ctx context.Context, msisdn, lang string) error
}

// MeterMessage is a message a meter may show, explained: Say fits one
// screen.
type MeterMessage struct {
	Name string // "Rejected"
	Say  string // what it means and what to do
}

// Meter is a meter registered to a phone.
type Meter struct {
	DRN   string // meter number, 11 or 13 digits
	Label string // the customer's name for it ("Home", "Shop"); may be empty
}

// MeterCheck is what CheckMeter knows about a typed meter number. Nothing
// about its owner is told: not even a masked name.
type MeterCheck struct {
	DRN   string // as stored
	Label string // the caller's own name for it, when the meter is theirs
	Own   bool   // registered to the caller's phone
}

// ErrMeterInvalid and ErrMeterNotFound are wrapped by CheckMeter errors; the
// caller sees both as "meter number not valid", since a typo causes either.
// ErrTooMany says the caller looked up too many other meters (or unknown
// receipt codes) lately;
// ErrNotYours that a meter's history is for its own phones only.
var (
	ErrMeterInvalid  = errors.New("meter number fails its check digit")
	ErrMeterNotFound = errors.New("meter not found")
	ErrTooMany       = errors.New("too many meter look-ups")
	ErrNotYours      = errors.New("meter is not registered to this phone")
)

// Token is one STS token as the customer sees it.
type Token struct {
	Digits    string       // 20 digits
	Units     string       // kWh as printed ("6.13"); empty for key-change tokens and for another's meter
	Amount    money.Amount // amount paid for the purchase
	At        time.Time
	Receipt   string // M-Pesa receipt code of the purchase
	KeyChange bool   // a key-change token, to be entered before the credit token
}

// Purchase is one prepaid purchase of a meter.
type Purchase struct {
	At      time.Time
	Amount  money.Amount
	Units   string // kWh as printed ("6.13")
	Receipt string
	// Compensation the service charter owed, given in these units; zero
	// when none.
	Compensation money.Amount
}

// Limits bound the amount of one purchase.
type Limits struct {
	Min, Max money.Amount // Max zero: no upper limit
}

// LimitError is returned by BuyToken for an amount outside the limits.
type LimitError struct {
	Amount money.Amount
	Limits
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("amount %s outside limits %s to %s", e.Amount.Plain(), e.Min.Plain(), e.Max.Plain())
}

// PaymentState is what FindPayment found.
type PaymentState int

// The zero PaymentState is not valid, so a lookup that forgot to set it is
// treated as a backend error rather than as "not found".
const (
	PaymentNotFound PaymentState = iota + 1 // neither Mteja nor M-Pesa knows the code
	PaymentPending                          // asked M-Pesa or vending now; dial again soon
	PaymentVended                           // Tokens holds the token(s)
	PaymentSuspense                         // received but not matched to a meter
)

// PaymentLookup is the answer to "I paid but got no token".
type PaymentLookup struct {
	State   PaymentState
	DRN     string       // the meter vended (PaymentVended)
	Amount  money.Amount // amount paid, when known and the caller paid it or owns the meter
	Tokens  []Token      // PaymentVended: key-change tokens first, then credit
	Message string       // optional short note for the caller, in the caller's language
}

// FaultKind is the kind of fault a caller reports.
type FaultKind string

// Fault kinds offered on the menu.
const (
	FaultNoPower       FaultKind = "no_power"
	FaultTokenRejected FaultKind = "token_rejected"
	FaultOther         FaultKind = "other"
	// FaultNoToken is a payment without its token: the desk looks for
	// the payment and sends the token, or a person follows up.
	FaultNoToken FaultKind = "no_token"
)
