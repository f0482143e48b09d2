package ussd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/money"
)

// Agents is what the agent menu needs from the agent outlets
// (Options.Agents; nil: no agent menu). An agent dials the same service
// code and chooses 9, which the home screen does not list (or dials the
// code with *9 added): only a phone registered to an agent user gets the
// PIN screen, and only the right PIN opens the menu.
type Agents interface {
	// IsAgent reports whether msisdn belongs to an active agent user.
	IsAgent(ctx context.Context, msisdn string) (bool, error)
	// SignIn checks the PIN of msisdn's agent user. count says whether a
	// wrong PIN counts toward the lock-out: only on the request it was
	// typed in, never when an older path is replayed. Errors wrap
	// ErrWrongPIN or ErrPINLocked.
	SignIn(ctx context.Context, msisdn, pin string, count bool) (AgentUser, error)
	// Float is where the user's outlet stands.
	Float(ctx context.Context, userID string) (AgentFloat, error)
	// Sell sells a token for cash from the outlet's float; key makes a
	// request sent again the same sale. It returns the receipt and, when
	// the vend was quick enough, the token. Errors wrap ErrAgentNoFloat or
	// ErrMeterNotFound.
	Sell(ctx context.Context, userID, key, drn string, amount money.Amount) (AgentSale, error)
	// ResendLast sends the meter's last token again to its phones. Errors
	// wrap ErrMeterNotFound, or ErrNoTokens when it has none.
	ResendLast(ctx context.Context, userID, drn string) error
	// Report opens a care ticket for the meter from the agent's
	// description and returns its reference.
	Report(ctx context.Context, userID, drn, note string) (string, error)
	// CloseShift closes the user's shift with the cash counted. Errors
	// wrap ErrNoShift when none is open.
	CloseShift(ctx context.Context, userID string, counted money.Amount) (AgentShift, error)
	// SendPhoneCode sends a code to the customer's phone, to add it to the
	// meter once they read it out. Errors wrap ErrMeterNotFound, or
	// ErrBadPhone for a number that is not one.
	SendPhoneCode(ctx context.Context, userID, drn, phone string) error
	// ConfirmPhone adds the phone to the meter's customer if code is the
	// one sent. Errors wrap ErrWrongCode.
	ConfirmPhone(ctx context.Context, userID, drn, phone, code string) error
}

// AgentUser is a signed-in agent.
type AgentUser struct {
	ID     string
	Outlet string // the outlet's name
}

// AgentFloat is an outlet's float and the user's open shift.
type AgentFloat struct {
	Float, Available money.Amount
	ShiftSales       int
	ShiftCash        money.Amount
}

// AgentSale is a cash sale made.
type AgentSale struct {
	Receipt string
	Token   string // "" when the vend is still on its way; it comes by SMS
}

// AgentShift is a closed shift's report.
type AgentShift struct {
	Sales                         int
	Expected, Counted, Difference money.Amount
	Reconciled                    bool
}

// Why an agent's request was refused.
var (
	ErrWrongPIN     = errors.New("wrong PIN")
	ErrPINLocked    = errors.New("agent locked after wrong PINs")
	ErrAgentNoFloat = errors.New("float too low")
	ErrNoTokens     = errors.New("meter has no tokens")
	ErrNoShift      = errors.New("no open shift")
	ErrBadPhone     = errors.New("not a phone number")
	ErrWrongCode    = errors.New("wrong or expired code")
)

// agentEntry is the hidden home choice that leads to the agent menu.
const agentEntry = "9"

// agentStep leads an agent's phone to the PIN screen; any other phone is
// told its choice is invalid, as for any unlisted number.
func (s *session) agentStep() (step, error) {
	a := s.h.opts.Agents
	if a == nil {
		return stay(s.t.InvalidChoice), nil
	}
	ok, err := a.IsAgent(s.ctx, s.msisdn)
	if err != nil {
		return step{}, fmt.Errorf("agent of phone: %w", err)
	}
	if !ok {
		return stay(s.t.InvalidChoice), nil
	}
	return goTo(agentPIN{}), nil
}

// agentPIN asks for the agent's PIN.
type agentPIN struct{}

func (agentPIN) render(s *session, hint string) screen {
	return con(withHint(hint, s.at().EnterPIN, s.t.BackHome)...)
}

func (agentPIN) next(s *session, in string, last bool) (step, error) {
	u, err := s.signIn(in, last)
	switch {
	case errors.Is(err, ErrWrongPIN):
		return stay(s.at().WrongPIN), nil
	case errors.Is(err, ErrPINLocked):
		return closing(s.at().Locked), nil
	case err != nil:
		return step{}, fmt.Errorf("agent sign-in: %w", err)
	}
	return goTo(agentMenu{u: u}), nil
}

// signIn checks the PIN. The request it was typed in counts a wrong PIN,
// once even when the gateway sends that request again.
func (s *session) signIn(pin string, last bool) (AgentUser, error) {
	a := s.h.opts.Agents
	if !last {
		return a.SignIn(s.ctx, s.msisdn, pin, false)
	}
	var u AgentUser
	key := "pin\x00" + s.id + "\x00" + s.msisdn + "\x00" + s.raw
	_, err := s.h.once.do(s.ctx, key, func() (string, error) {
		_, err := a.SignIn(s.ctx, s.msisdn, pin, true)
		return "", err
	})
	if err != nil {
		return AgentUser{}, err
	}
	// The user as of now (cached answers carry no user).
	u, err = a.SignIn(s.ctx, s.msisdn, pin, false)
	return u, err
}

// agentMenu is the agent's home.
type agentMenu struct{ u AgentUser }

func (n agentMenu) render(s *session, hint string) screen {
	at := s.at()
	first := clip(n.u.Outlet, 24) + ":"
	if hint != "" {
		// The hint takes the outlet's line: the Swahili menu has no room
		// for both.
		first = hint
	}
	return con(first, "1 "+at.Sell, "2 "+at.Float, "3 "+at.Resend, "4 "+at.Report, "5 "+at.CloseShift, "6 "+at.AddPhone, s.t.BackHome)
}

// agentTask is what the agent chose a meter for.
type agentTask int

const (
	agentSell agentTask = iota + 1
	agentResend
	agentReport
	agentAddPhone
)

func (n agentMenu) next(s *session, in string, _ bool) (step, error) {
	switch in {
	case "1":
		return goTo(agentMeter{u: n.u, k: agentSell}), nil
	case "2":
		f, err := s.h.opts.Agents.Float(s.ctx, n.u.ID)
		if err != nil {
			return step{}, fmt.Errorf("agent float: %w", err)
		}
		return closing(fmt.Sprintf(s.at().FloatIs, s.amount(f.Float), s.amount(f.Available), f.ShiftSales, s.amount(f.ShiftCash))), nil
	case "3":
		return goTo(agentMeter{u: n.u, k: agentResend}), nil
	case "4":
		return goTo(agentMeter{u: n.u, k: agentReport}), nil
	case "5":
		return goTo(agentCash{u: n.u}), nil
	case "6":
		return goTo(agentMeter{u: n.u, k: agentAddPhone}), nil
	}
	return stay(s.t.InvalidChoice), nil
}

// agentMeter asks for the customer's meter number.
type agentMeter struct {
	u AgentUser
	k agentTask
}

func (n agentMeter) render(s *session, hint string) screen {
	return con(withHint(hint, s.t.EnterMeter, s.t.BackHome)...)
}

func (n agentMeter) next(s *session, in string, last bool) (step, error) {
	if !allDigits(in) || (len(in) != 11 && len(in) != 13) {
		return stay(s.t.BadMeter), nil
	}
	switch n.k {
	case agentSell:
		return goTo(agentAmount{u: n.u, drn: in}), nil
	case agentReport:
		return goTo(agentNote{u: n.u, drn: in}), nil
	case agentAddPhone:
		return goTo(agentPhone{u: n.u, drn: in}), nil
	}
	return s.act(last, func(ctx context.Context) (string, error) {
		err := s.h.opts.Agents.ResendLast(ctx, n.u.ID, in)
		switch {
		case errors.Is(err, ErrMeterNotFound):
			return fmt.Sprintf(s.at().NoMeter, in), nil
		case errors.Is(err, ErrNoTokens):
			return fmt.Sprintf(s.t.NoTokens, in), nil
		case err != nil:
			return "", fmt.Errorf("agent re-send for %s: %w", in, err)
		}
		return fmt.Sprintf(s.at().Resent, in), nil
	})
}

// agentAmount asks how much cash the customer pays.
type agentAmount struct {
	u   AgentUser
	drn string
}

func (n agentAmount) render(s *session, hint string) screen {
	return con(withHint(hint, fmt.Sprintf(s.t.Meter, n.drn), s.at().EnterCash, s.t.BackHome)...)
}

// maxAgentSale bounds one sale typed on USSD, as M-Pesa bounds a payment.
var maxAgentSale = money.MustFromMajor(150000)

func (n agentAmount) next(s *session, in string, _ bool) (step, error) {
	a, err := money.Parse(in)
	if err != nil || a <= 0 || !a.IsWhole() {
		return stay(s.t.BadAmount), nil
	}
	if a > maxAgentSale {
		return stay(fmt.Sprintf(s.t.AboveMax, s.amount(maxAgentSale))), nil
	}
	return goTo(agentConfirm{u: n.u, drn: n.drn, amount: a}), nil
}

// agentConfirm asks before the sale: it spends the outlet's float.
type agentConfirm struct {
	u      AgentUser
	drn    string
	amount money.Amount
}

func (n agentConfirm) render(s *session, hint string) screen {
	return con(withHint(hint, fmt.Sprintf(s.at().ConfirmSell, s.amount(n.amount), n.drn), s.at().YesSell, s.t.BackHome)...)
}

func (n agentConfirm) next(s *session, in string, last bool) (step, error) {
	if in != "1" {
		return stay(s.t.InvalidChoice), nil
	}
	return s.act(last, func(ctx context.Context) (string, error) {
		sale, err := s.h.opts.Agents.Sell(ctx, n.u.ID, s.requestKey(), n.drn, n.amount)
		switch {
		case errors.Is(err, ErrAgentNoFloat):
			return s.at().NoFloat, nil
		case errors.Is(err, ErrMeterNotFound):
			return fmt.Sprintf(s.at().NoMeter, n.drn), nil
		case err != nil:
			return "", fmt.Errorf("agent sale for %s: %w", n.drn, err)
		}
		if sale.Token == "" {
			return fmt.Sprintf(s.at().SoldPending, s.amount(n.amount), n.drn, sale.Receipt), nil
		}
		return fmt.Sprintf(s.at().Sold, s.amount(n.amount), n.drn, groupToken(sale.Token), sale.Receipt), nil
	})
}

// requestKey names this request for the sale's idempotency: the gateway's
// session and the whole path typed, so a resent request is the same sale
// on any node, and another sale in another session is another.
func (s *session) requestKey() string {
	sum := sha256.Sum256([]byte(s.id + "\x00" + s.msisdn + "\x00" + s.raw))
	return "ussd:" + hex.EncodeToString(sum[:16])
}

// agentNote takes the description of a customer's fault or outage.
type agentNote struct {
	u   AgentUser
	drn string
}

func (agentNote) freeText() {}

func (n agentNote) render(s *session, hint string) screen {
	return con(withHint(hint, fmt.Sprintf(s.t.Meter, n.drn), s.t.DescribeFault, s.t.BackHome)...)
}

func (n agentNote) next(s *session, in string, last bool) (step, error) {
	note := strings.Trim(in, " *#")
	if note == "" {
		return stay(s.t.BadNote), nil
	}
	return s.act(last, func(ctx context.Context) (string, error) {
		ref, err := s.h.opts.Agents.Report(ctx, n.u.ID, n.drn, clip(note, maxNote))
		if errors.Is(err, ErrMeterNotFound) {
			return fmt.Sprintf(s.at().NoMeter, n.drn), nil
		}
		if err != nil {
			return "", fmt.Errorf("agent report at %s: %w", n.drn, err)
		}
		return fmt.Sprintf(s.at().Reported, clip(ref, 24)), nil
	})
}

// agentCash asks for the cash counted at the shift's close.
type agentCash struct{ u AgentUser }

func (n agentCash) render(s *session, hint string) screen {
	return con(withHint(hint, s.at().EnterCounted, s.t.BackHome)...)
}

func (n agentCash) next(s *session, in string, _ bool) (step, error) {
	a, err := money.Parse(in)
	if err != nil || a < 0 || a > money.MustFromMajor(100000000) {
		return stay(s.t.BadAmount), nil
	}
	return goTo(agentCloseConfirm{u: n.u, counted: a}), nil
}

// agentCloseConfirm asks before the close: a closed shift stays closed.
type agentCloseConfirm struct {
	u       AgentUser
	counted money.Amount
}

func (n agentCloseConfirm) render(s *session, hint string) screen {
	return con(withHint(hint, fmt.Sprintf(s.at().ConfirmClose, s.amount(n.counted)), s.at().YesClose, s.t.BackHome)...)
}

func (n agentCloseConfirm) next(s *session, in string, last bool) (step, error) {
	if in != "1" {
		return stay(s.t.InvalidChoice), nil
	}
	return s.act(last, func(ctx context.Context) (string, error) {
		sh, err := s.h.opts.Agents.CloseShift(ctx, n.u.ID, n.counted)
		if errors.Is(err, ErrNoShift) {
			return s.at().NoShift, nil
		}
		if err != nil {
			return "", fmt.Errorf("agent shift close: %w", err)
		}
		verdict := s.at().Balanced
		if !sh.Reconciled {
			verdict = fmt.Sprintf(s.at().Difference, s.amount(sh.Difference))
		}
		return fmt.Sprintf(s.at().Closed, sh.Sales, s.amount(sh.Expected), s.amount(sh.Counted), verdict), nil
	})
}

// agentPhone asks for the customer's phone number to add to the meter.
type agentPhone struct {
	u   AgentUser
	drn string
}

func (n agentPhone) render(s *session, hint string) screen {
	return con(withHint(hint, fmt.Sprintf(s.t.Meter, n.drn), s.at().EnterPhone, s.t.BackHome)...)
}

// next sends the code, once: only on the request the number was typed in,
// and a resent request gets the first one's outcome; an older path
// replayed sends nothing.
func (n agentPhone) next(s *session, in string, last bool) (step, error) {
	if !allDigits(strings.TrimPrefix(in, "+")) || len(in) < 9 || len(in) > 13 {
		return stay(s.at().BadPhone), nil
	}
	if last {
		key := "code\x00" + s.id + "\x00" + s.msisdn + "\x00" + s.raw
		_, err := s.h.once.do(s.ctx, key, func() (string, error) {
			return "", s.h.opts.Agents.SendPhoneCode(s.ctx, n.u.ID, n.drn, in)
		})
		switch {
		case errors.Is(err, ErrBadPhone):
			return stay(s.at().BadPhone), nil
		case errors.Is(err, ErrMeterNotFound):
			return closing(fmt.Sprintf(s.at().NoMeter, n.drn)), nil
		case err != nil:
			return step{}, fmt.Errorf("agent phone code for %s: %w", n.drn, err)
		}
	}
	return goTo(agentCode{u: n.u, drn: n.drn, phone: in}), nil
}

// agentCode asks for the code the customer received.
type agentCode struct {
	u          AgentUser
	drn, phone string
}

func (n agentCode) render(s *session, hint string) screen {
	return con(withHint(hint, fmt.Sprintf(s.at().EnterCode, n.phone), s.t.BackHome)...)
}

func (n agentCode) next(s *session, in string, last bool) (step, error) {
	if len(in) != 6 || !allDigits(in) {
		return stay(s.at().BadCode), nil
	}
	return s.act(last, func(ctx context.Context) (string, error) {
		err := s.h.opts.Agents.ConfirmPhone(ctx, n.u.ID, n.drn, n.phone, in)
		if errors.Is(err, ErrWrongCode) {
			return s.at().CodeWrong, nil
		}
		if err != nil {
			return "", fmt.Errorf("agent phone confirm for %s: %w", n.drn, err)
		}
		return fmt.Sprintf(s.at().PhoneAdded, n.phone, n.drn), nil
	})
}
