package ussd

import (
	"context"
	"fmt"
)

// tokenList shows a meter's last tokens, the *977# "Latest Token" screen.
type tokenList struct {
	m      meterRef
	tokens []Token
	start  int
}

// tokenItem is two lines: when and how much, then the token as typed. The
// units of another's meter are not known here.
func (s *session) tokenItem(tk Token) string {
	head := s.when(tk.At)
	switch {
	case tk.KeyChange:
		head += " " + s.t.KeyChange
	case tk.Units != "":
		head += " " + tk.Units + " kWh"
	}
	return head + "\n" + groupToken(tk.Digits)
}

func (n tokenList) list(s *session) list {
	items := make([]string, len(n.tokens))
	for i, tk := range n.tokens {
		items[i] = s.tokenItem(tk)
	}
	// The meter number alone heads the list: with a label, two tokens would
	// no longer fit a screen. Only the meter's own phones may have its
	// tokens sent by SMS; others read them here.
	foot := []string{s.t.SendSMS, s.t.BackHome}
	if !n.m.Own {
		foot = foot[1:]
	}
	return list{head: fmt.Sprintf(s.t.Meter, n.m.DRN) + ":", items: items,
		foot: foot, hints: []string{s.t.InvalidChoice}}
}

func (n tokenList) render(s *session, hint string) screen {
	if len(n.tokens) == 0 {
		return con(withHint(hint, fmt.Sprintf(s.t.NoTokens, n.m.DRN), s.t.BackHome)...)
	}
	lines, _ := n.list(s).layout(s, n.start, hint)
	return con(lines...)
}

func (n tokenList) next(s *session, in string, last bool) (step, error) {
	if len(n.tokens) == 0 {
		return stay(s.t.InvalidChoice), nil
	}
	switch in {
	case "98":
		if _, nx := n.list(s).layout(s, n.start, ""); nx < len(n.tokens) {
			n.start = nx
			return goTo(n), nil
		}
	case "1":
		if !n.m.Own {
			break
		}
		return s.act(last, func(ctx context.Context) (string, error) {
			if err := s.h.b.ResendTokens(ctx, s.msisdn, n.m.DRN, len(n.tokens)); err != nil {
				return "", fmt.Errorf("resend tokens of %s: %w", n.m.DRN, err)
			}
			return fmt.Sprintf(s.t.Resent, n.m.DRN), nil
		})
	}
	return stay(s.t.InvalidChoice), nil
}
