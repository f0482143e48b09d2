package ussd

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// faultMenu asks what is wrong; the meter comes next.
type faultMenu struct{}

func (faultMenu) render(s *session, hint string) screen {
	t := s.t
	return con(withHint(hint, t.FaultMenu, "1 "+t.NoPower, "2 "+t.TokenRejected, "3 "+t.OtherFault, "4 "+t.MeterShows, "5 "+t.NoToken, t.BackHome)...)
}

func (faultMenu) next(s *session, in string, _ bool) (step, error) {
	switch in {
	case "1":
		return s.meterStep(forFault, FaultNoPower)
	case "2":
		return s.meterStep(forFault, FaultTokenRejected)
	case "3":
		return s.meterStep(forFault, FaultOther)
	case "5":
		return s.meterStep(forFault, FaultNoToken)
	case "4":
		ms, err := s.h.b.MeterMessages(s.ctx, s.lang)
		if err != nil {
			return step{}, fmt.Errorf("meter messages: %w", err)
		}
		return goTo(meterShows{messages: ms[:min(len(ms), maxMeters)]}), nil
	}
	return stay(s.t.InvalidChoice), nil
}

func (s *session) faultName(k FaultKind) string {
	switch k {
	case FaultNoPower:
		return s.t.NoPower
	case FaultTokenRejected:
		return s.t.TokenRejected
	case FaultNoToken:
		return s.t.NoToken
	}
	return s.t.OtherFault
}

// faultConfirm asks before opening a ticket, so that a slip of the finger
// does not send a crew.
type faultConfirm struct {
	kind FaultKind
	m    meterRef
}

func (n faultConfirm) render(s *session, hint string) screen {
	return con(withHint(hint,
		fmt.Sprintf(s.t.ConfirmFault, s.faultName(n.kind), meterName(n.m)),
		s.t.YesReport,
		s.t.BackHome)...)
}

func (n faultConfirm) next(s *session, in string, last bool) (step, error) {
	if in != "1" {
		return stay(s.t.InvalidChoice), nil
	}
	return s.report(last, n.kind, n.m, "")
}

// faultNote takes a short description of an "other" fault; typing it is the
// confirmation.
type faultNote struct{ m meterRef }

func (faultNote) freeText() {}

// maxNote bounds a fault note: a USSD entry is at most about 160 characters.
const maxNote = 160

func (n faultNote) render(s *session, hint string) screen {
	return con(withHint(hint, fmt.Sprintf(s.t.Meter, meterName(n.m)), s.t.DescribeFault, s.t.BackHome)...)
}

func (n faultNote) next(s *session, in string, last bool) (step, error) {
	// Stray '*' at the ends come from empty entries, not from the sentence.
	note := strings.Trim(in, " *#")
	if note == "" {
		return stay(s.t.BadNote), nil
	}
	return s.report(last, FaultOther, n.m, clip(note, maxNote))
}

func (s *session) report(last bool, kind FaultKind, m meterRef, note string) (step, error) {
	return s.act(last, func(ctx context.Context) (string, error) {
		ref, err := s.h.b.ReportFault(ctx, s.msisdn, m.DRN, kind, note)
		if err != nil {
			return "", fmt.Errorf("report %s at %s: %w", kind, m.DRN, err)
		}
		return fmt.Sprintf(s.t.FaultReported, clip(ref, 24)), nil
	})
}

// meterShows lists what meters show after a token; choosing one explains
// it, before any fault is reported: most of them the customer can fix.
type meterShows struct {
	messages []MeterMessage
	start    int
}

func (n meterShows) list(s *session) list {
	items := make([]string, len(n.messages))
	for i, m := range n.messages {
		items[i] = strconv.Itoa(i+1) + " " + clip(m.Name, 30)
	}
	return list{head: s.t.WhatMeterShows, items: items, foot: []string{s.t.BackHome}, hints: []string{s.t.InvalidChoice}}
}

func (n meterShows) render(s *session, hint string) screen {
	lines, _ := n.list(s).layout(s, n.start, hint)
	return con(lines...)
}

func (n meterShows) next(s *session, in string, _ bool) (step, error) {
	nx, i, ok := n.list(s).choose(s, n.start, in)
	switch {
	case !ok:
		return stay(s.t.InvalidChoice), nil
	case i < 0:
		n.start = nx
		return goTo(n), nil
	}
	return closing(clip(n.messages[i].Say, maxScreen-prefixLen)), nil
}
