package ussd

import (
	"errors"
	"fmt"
	"strings"
)

// receiptEntry asks for the M-Pesa receipt code of a payment that brought no
// token.
type receiptEntry struct{}

func (receiptEntry) render(s *session, hint string) screen {
	return con(withHint(hint, s.t.EnterReceipt, s.t.BackHome)...)
}

// validReceipt reports whether code looks like an M-Pesa receipt code: ten
// letters and digits ("SKL51ZDR4F").
func validReceipt(code string) bool {
	if len(code) != 10 {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (receiptEntry) next(s *session, in string, _ bool) (step, error) {
	code := strings.ToUpper(in)
	if !validReceipt(code) {
		return stay(s.t.BadReceipt), nil
	}
	// A lookup, not an action: the backend starts at most one status query per
	// code, so replaying this step is harmless.
	look, err := s.h.b.FindPayment(s.ctx, s.msisdn, code)
	if errors.Is(err, ErrTooMany) {
		return closing(s.t.TooManyCodes), nil
	}
	if err != nil {
		return step{}, fmt.Errorf("find payment %s: %w", code, err)
	}
	var text string
	switch look.State {
	case PaymentVended:
		if len(look.Tokens) > 0 {
			return goTo(paidTokens{receipt: code, look: look}), nil
		}
		// Vended but no token to show yet: to the caller that is still pending.
		text = fmt.Sprintf(s.t.PaidPending, code)
	case PaymentPending:
		text = fmt.Sprintf(s.t.PaidPending, code)
	case PaymentNotFound:
		text = fmt.Sprintf(s.t.PaidNotFound, code)
	case PaymentSuspense:
		text = fmt.Sprintf(s.t.PaidSuspense, code)
	default:
		return step{}, fmt.Errorf("find payment %s: unknown state %d", code, look.State)
	}
	if msg := strings.TrimSpace(look.Message); msg != "" {
		if room := maxScreen - prefixLen - runes(text) - 1; room >= 20 {
			text += "\n" + clip(msg, room)
		}
	}
	return closing(text), nil
}

// paidTokens shows the token(s) of a payment found by its receipt code.
type paidTokens struct {
	receipt string
	look    PaymentLookup
	start   int
}

func (n paidTokens) list(s *session) list {
	items := make([]string, len(n.look.Tokens))
	for i, tk := range n.look.Tokens {
		what := tk.Units + " kWh"
		if tk.KeyChange {
			what = s.t.KeyChange
		}
		items[i] = what + ": " + groupToken(tk.Digits)
	}
	return list{head: fmt.Sprintf(s.t.PaidTokens, n.receipt, n.look.DRN), items: items,
		foot: []string{s.t.BackHome}, hints: []string{s.t.InvalidChoice}}
}

func (n paidTokens) render(s *session, hint string) screen {
	lines, _ := n.list(s).layout(s, n.start, hint)
	return con(lines...)
}

func (n paidTokens) next(s *session, in string, _ bool) (step, error) {
	if in == "98" {
		if _, nx := n.list(s).layout(s, n.start, ""); nx < len(n.look.Tokens) {
			n.start = nx
			return goTo(n), nil
		}
	}
	return stay(s.t.InvalidChoice), nil
}
