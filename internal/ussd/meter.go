package ussd

import (
	"errors"
	"fmt"
	"strconv"
)

// purpose is what a meter is being chosen for.
type purpose int

const (
	forBuy purpose = iota + 1
	forTokens
	forPurchases
	forFault
	forOutage
)

// maxMeters keeps meter choices below 98, which is "More".
const maxMeters = 97

// meterRef is a chosen meter and the name shown with it.
type meterRef struct {
	DRN   string
	Label string
	Own   bool // registered to the caller: its history and re-sends are theirs
}

// meterPick lists the caller's registered meters; the caller may also type
// another meter's number on the same screen.
type meterPick struct {
	p      purpose
	kind   FaultKind
	meters []Meter
	start  int // first meter of this page
}

// meterEntry asks for a meter number from a caller with no registered meter.
type meterEntry struct {
	p    purpose
	kind FaultKind
}

// meterStep leads to the meter choice, or straight to typing a number when
// the caller has no registered meter.
func (s *session) meterStep(p purpose, kind FaultKind) (step, error) {
	ms, err := s.h.b.MetersForPhone(s.ctx, s.msisdn)
	if err != nil {
		return step{}, fmt.Errorf("meters for phone: %w", err)
	}
	if len(ms) == 0 {
		return goTo(meterEntry{p: p, kind: kind}), nil
	}
	if len(ms) > maxMeters {
		ms = ms[:maxMeters]
	}
	return goTo(meterPick{p: p, kind: kind, meters: ms}), nil
}

func (n meterPick) list(s *session) list {
	items := make([]string, len(n.meters))
	for i, m := range n.meters {
		items[i] = strconv.Itoa(i+1) + " " + meterName(meterRef{DRN: m.DRN, Label: m.Label})
	}
	return list{head: s.t.ChooseMeter, items: items, foot: []string{s.t.BackHome},
		hints: []string{s.t.InvalidChoice, s.t.BadMeter}}
}

func (n meterPick) render(s *session, hint string) screen {
	lines, _ := n.list(s).layout(s, n.start, hint)
	return con(lines...)
}

func (n meterPick) next(s *session, in string, _ bool) (step, error) {
	nx, i, ok := n.list(s).choose(s, n.start, in)
	switch {
	case ok && i < 0:
		n.start = nx
		return goTo(n), nil
	case ok:
		m := n.meters[i]
		return s.afterMeter(n.p, n.kind, meterRef{DRN: m.DRN, Label: m.Label, Own: true})
	case isChoice(in):
		return stay(s.t.InvalidChoice), nil
	}
	for _, m := range n.meters {
		if m.DRN == in {
			return s.afterMeter(n.p, n.kind, meterRef{DRN: m.DRN, Label: m.Label, Own: true})
		}
	}
	return s.typedMeter(n.p, n.kind, in)
}

func (n meterEntry) render(s *session, hint string) screen {
	return con(withHint(hint, s.t.EnterMeter, s.t.BackHome)...)
}

func (n meterEntry) next(s *session, in string, _ bool) (step, error) {
	return s.typedMeter(n.p, n.kind, in)
}

// typedMeter checks a typed meter number. A wrong length or check digit and
// an unknown meter get the same hint: to the caller each is a typo.
func (s *session) typedMeter(p purpose, kind FaultKind, in string) (step, error) {
	if !allDigits(in) || (len(in) != 11 && len(in) != 13) {
		return stay(s.t.BadMeter), nil
	}
	chk, err := s.h.b.CheckMeter(s.ctx, s.msisdn, in)
	switch {
	case errors.Is(err, ErrMeterInvalid) || errors.Is(err, ErrMeterNotFound):
		return stay(s.t.BadMeter), nil
	case errors.Is(err, ErrTooMany):
		return closing(s.t.TooManyMeters), nil
	case err != nil:
		return step{}, fmt.Errorf("check meter %s: %w", in, err)
	}
	m := meterRef{DRN: chk.DRN, Label: chk.Label, Own: chk.Own}
	if m.DRN == "" {
		m.DRN = in
	}
	return s.afterMeter(p, kind, m)
}

// Enough history for *977#'s "last 3 tokens" and a screen or two of purchases.
const (
	lastTokens      = 3
	recentPurchases = 5
)

// afterMeter fetches what the next screen shows, so that rendering it needs
// no backend call.
func (s *session) afterMeter(p purpose, kind FaultKind, m meterRef) (step, error) {
	b := s.h.b
	switch p {
	case forBuy:
		lim, err := b.BuyLimits(s.ctx, m.DRN)
		if err != nil {
			return step{}, fmt.Errorf("buy limits for %s: %w", m.DRN, err)
		}
		return goTo(amountEntry{m: m, lim: lim}), nil
	case forTokens:
		toks, err := b.LastTokens(s.ctx, s.msisdn, m.DRN, lastTokens)
		if err != nil {
			return step{}, fmt.Errorf("last tokens of %s: %w", m.DRN, err)
		}
		return goTo(tokenList{m: m, tokens: toks}), nil
	case forPurchases:
		if !m.Own {
			return closing(fmt.Sprintf(s.t.NotYours, m.DRN)), nil
		}
		ps, err := b.RecentPurchases(s.ctx, s.msisdn, m.DRN, recentPurchases)
		if errors.Is(err, ErrNotYours) {
			return closing(fmt.Sprintf(s.t.NotYours, m.DRN)), nil
		}
		if err != nil {
			return step{}, fmt.Errorf("recent purchases of %s: %w", m.DRN, err)
		}
		return goTo(purchaseList{m: m, purchases: ps}), nil
	case forFault:
		if kind == FaultOther {
			return goTo(faultNote{m: m}), nil
		}
		return goTo(faultConfirm{kind: kind, m: m}), nil
	case forOutage:
		text, err := b.OutageStatus(s.ctx, s.msisdn, m.DRN, s.lang)
		if err != nil {
			return step{}, fmt.Errorf("outage status for %s: %w", m.DRN, err)
		}
		if text == "" {
			text = s.t.NoOutage
		}
		return closing(clip(text, maxScreen-prefixLen)), nil
	}
	return step{}, fmt.Errorf("meter chosen for unknown purpose %d", p)
}
