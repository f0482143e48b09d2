// Package login lets customers in: a one-time code sent by SMS to a phone
// registered with the utility, then a session, held by the web portal in a
// cookie and by the app as a bearer token. Codes and session tokens are
// stored only as hashes. Code requests are limited per phone and per client
// address, and code checks per client address, in the database (package
// quota), so that every node and every restart counts the same requests.
package login

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
)

// Session kinds.
const (
	KindWeb = "web" // a portal cookie
	KindApp = "app" // an app's bearer token
)

// Limits bound what one phone or one client may do. Zero fields take the
// defaults in DefaultLimits.
type Limits struct {
	CodeTTL      time.Duration // how long a code works: 5 minutes
	MaxAttempts  int           // wrong guesses before a code dies: 5
	PhoneGap     time.Duration // least time between two codes to one phone: 30 s
	PhonePerHour int           // codes to one phone an hour: 5
	IPPerHour    int           // code requests from one client address an hour: 20
	// VerifyPerHour is how many codes one client address may type an
	// hour, for any phones: 50.
	VerifyPerHour int
	SessionTTL    time.Duration // how long a session lasts: 30 days
}

// DefaultLimits are the limits a zero Limits field takes. With them, a
// guesser gets at most 5 codes x 5 guesses an hour at one phone, 25 chances
// in a million, and from one address 20 codes an hour across all phones and
// 50 guesses at whichever phones' codes are live. A customer who mistypes
// a code now and then stays well inside them.
var DefaultLimits = Limits{
	CodeTTL:       5 * time.Minute,
	MaxAttempts:   5,
	PhoneGap:      30 * time.Second,
	PhonePerHour:  5,
	IPPerHour:     20,
	VerifyPerHour: 50,
	SessionTTL:    30 * 24 * time.Hour,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.CodeTTL > 0 {
		d.CodeTTL = l.CodeTTL
	}
	if l.MaxAttempts > 0 {
		d.MaxAttempts = l.MaxAttempts
	}
	if l.PhoneGap > 0 {
		d.PhoneGap = l.PhoneGap
	}
	if l.PhonePerHour > 0 {
		d.PhonePerHour = l.PhonePerHour
	}
	if l.IPPerHour > 0 {
		d.IPPerHour = l.IPPerHour
	}
	if l.VerifyPerHour > 0 {
		d.VerifyPerHour = l.VerifyPerHour
	}
	if l.SessionTTL > 0 {
		d.SessionTTL = l.SessionTTL
	}
	return d
}

// Service issues codes and sessions. DB is required; the rest are optional.
type Service struct {
	DB *store.DB
	// Utility names the utility in the code SMS ("Mteja Power").
	Utility string
	// OnMessages runs after a code SMS was queued, to wake delivery.
	OnMessages func()
	Limits     Limits
	// Others, when set, says whether a phone that owns no meter belongs to
	// a customer of another service on this deployment (an ISP's
	// subscriber), and in which language they read; such a phone logs in
	// too. It runs inside the code request's transaction.
	Others PhoneBook
}

// PhoneBook tells whether msisdn is registered with a service, and its
// holder's language ("en" or "sw").
type PhoneBook func(ctx context.Context, tx *store.Tx, msisdn string) (lang string, known bool, err error)

var (
	// ErrBadPhone is wrapped by errors about a phone number that is not one.
	ErrBadPhone = errors.New("not a mobile number")
	// ErrBadCode is returned for a wrong, used or expired code, alike, so
	// that a guesser learns nothing from the answer.
	ErrBadCode = errors.New("the code is wrong or has expired")
	// ErrUnauthorized is returned for a missing, unknown, expired or
	// revoked session token.
	ErrUnauthorized = errors.New("not logged in")
)

// The limits kept in the database, by the name quota counts them under.
const (
	rulePhoneGap = "login.phone.gap" // a code to a phone: one per PhoneGap
	rulePhone    = "login.phone"     // codes to a phone: PhonePerHour
	ruleAddress  = "login.address"   // code requests from an address: IPPerHour
	ruleVerify   = "login.verify"    // codes typed from an address: VerifyPerHour
)

// requestKeys are the limits a code request for msisdn from ip counts
// against; an empty ip (a caller with no client address) counts against
// the phone's only.
func (l Limits) requestKeys(msisdn, ip string) []quota.Key {
	keys := []quota.Key{
		quota.Rule{Name: rulePhoneGap, Max: 1, Per: l.PhoneGap}.Of(msisdn),
		quota.Rule{Name: rulePhone, Max: l.PhonePerHour, Per: time.Hour}.Of(msisdn),
	}
	if ip != "" {
		keys = append(keys, quota.Rule{Name: ruleAddress, Max: l.IPPerHour, Per: time.Hour}.Of(ip))
	}
	return keys
}

// verifyKeys are the limits a typed code from ip counts against.
func (l Limits) verifyKeys(ip string) []quota.Key {
	if ip == "" {
		return nil
	}
	return []quota.Key{quota.Rule{Name: ruleVerify, Max: l.VerifyPerHour, Per: time.Hour}.Of(ip)}
}

// RateLimitError says a request came too soon and when to try again.
type RateLimitError struct {
	What       string // "phone" or "address"; "session" for a handler's own throttle
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("too many login requests for this %s: try again in %s", e.What, e.RetryAfter.Round(time.Second))
}

// rateLimited turns a *quota.Exceeded into a *RateLimitError, the one
// error the portal and the API answer with 429; other errors pass as
// they are.
func rateLimited(err error) error {
	var ex *quota.Exceeded
	if !errors.As(err, &ex) {
		return err
	}
	what := "phone"
	switch {
	case ex.Rule.Name == ruleAddress || ex.Rule.Name == ruleVerify:
		what = "address"
	case consentRule(ex.Rule.Name):
		what = "staff user"
	}
	return &RateLimitError{What: what, RetryAfter: ex.RetryAfter}
}
