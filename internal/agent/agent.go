// Package agent runs agent outlets: shops that sell tokens for cash from a
// float they prepaid to the utility, through their users, in shifts that
// close with a cash count. A cash sale is a payment of its own (provider
// "agent") stored in the transaction that takes its amount from the float,
// and is then vended like any other payment, so its token is the same kind
// of token, found on every channel and sent to the meter's phones.
//
// Books: the float is a liability to the outlet (ledger.AgentFloat): a
// top-up by M-Pesa credits it, a sale debits it into customer credit, which
// the vend then spends. Commission is the utility's expense and the
// outlet's due (ledger.AgentCommission).
package agent

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// Why an agent's request was refused.
var (
	ErrNoFloat    = errors.New("float and credit limit too low for this sale")
	ErrLocked     = errors.New("too many wrong PINs: try again later")
	ErrBadPIN     = errors.New("wrong PIN")
	ErrNotAgent   = errors.New("not an active agent user")
	ErrMeter      = errors.New("no active meter with this number")
	ErrInvalid    = errors.New("invalid")
	ErrNoShift    = errors.New("no open shift")
	ErrCodeWrong  = errors.New("wrong or expired code")
	ErrOutletShut = errors.New("outlet is not active")
)

// Service is the agents' side of Mteja.
type Service struct {
	DB *store.DB
	// Wake runs after a sale commits, to wake the vend worker. May be nil.
	Wake func()
	// Lockout is how long a user is locked after MaxTries wrong PINs in a
	// row. Default 15 minutes.
	Lockout time.Duration
	// MaxTries is how many wrong PINs in a row lock a user. Default 5.
	MaxTries int
	// OnMessages runs after an SMS was queued (a phone's code), to wake
	// delivery. May be nil.
	OnMessages func()
}

func (s *Service) lockout() time.Duration {
	if s.Lockout <= 0 {
		return 15 * time.Minute
	}
	return s.Lockout
}

func (s *Service) maxTries() int {
	if s.MaxTries <= 0 {
		return 5
	}
	return s.MaxTries
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// actor names an agent user in the audit log.
func actor(u User) string { return Actor(u.ID) }

func audit(tx *store.Tx, u User, action, subject, detail string) error {
	return payment.Audit(tx, actor(u), action, subject, detail)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrInvalid)
}

// checkCode is an outlet code: 2 to 7 letters and digits, kept upper case,
// so that "AGENT" and the code fit the 12 characters M-Pesa passes of a
// Paybill account.
func checkCode(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) < 2 || len(code) > 7 {
		return "", invalid("outlet code must be 2 to 7 letters or digits")
	}
	for _, r := range code {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", invalid("outlet code must be letters or digits")
		}
	}
	return code, nil
}

// Querier reads through the read pool or a transaction.
type Querier = payment.Querier

// amountOf reads a BIGINT column into money.
func amountOf(n int64) money.Amount { return money.Amount(n) }
