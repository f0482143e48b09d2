package ussd

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Survey lets a session's last screen carry the feedback question waiting
// on the caller (CSAT after a resolved ticket, NPS now and then), so that it
// is answered where the caller already is. A caller who does not answer
// loses nothing: the text they needed is on that screen.
type Survey interface {
	// OfferSurvey returns the question waiting on msisdn, of one of kinds,
	// and marks it offered, so that it is put on one screen at most; ok is
	// false when none may be asked now (none waiting, opted out, an outage
	// in the area).
	OfferSurvey(ctx context.Context, msisdn string, kinds []string) (q SurveyQuestion, ok bool, err error)
	// AnswerSurvey records score as msisdn's answer to the question, once:
	// a second call changes nothing.
	AnswerSurvey(ctx context.Context, msisdn, id string, score int) error
}

// SurveyQuestion is a question waiting on a phone.
type SurveyQuestion struct {
	ID   string
	Kind string // SurveyCSAT or SurveyNPS
}

// Survey kinds, and their scales.
const (
	SurveyCSAT = "csat" // 1-5
	SurveyNPS  = "nps"  // 0-10
)

func surveyScale(kind string) (lo, hi int) {
	if kind == SurveyNPS {
		return 0, 10
	}
	return 1, 5
}

func (t *texts) surveyQuestion(kind string) string {
	if kind == SurveyNPS {
		return t.SurveyNPS
	}
	return t.SurveyCSAT
}

// offerMark separates, in a step's remembered answer, the final text from
// the question put under it. The question is decided once, when the step
// runs, and remembered with its text, so that a resent or longer path
// comes back to the same screen.
const offerMark = "\x1e"

// offer returns the step's final text with the question waiting on the
// caller, when there is one and it fits on the screen in the caller's
// language; otherwise text alone. It never fails: the text is what the
// caller needs, the question only a favour asked.
func (s *session) offer(ctx context.Context, text string) string {
	sv := s.h.opts.Survey
	if sv == nil || text == "" {
		return text
	}
	var kinds []string
	for _, k := range []string{SurveyCSAT, SurveyNPS} {
		if prefixLen+runes(text)+1+runes(s.t.surveyQuestion(k)) <= maxScreen {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return text
	}
	q, ok, err := sv.OfferSurvey(ctx, s.msisdn, kinds)
	if err != nil {
		s.h.opts.Logger.LogAttrs(ctx, slog.LevelError, "ussd survey offer failed", slog.String("err", err.Error()))
		return text
	}
	if !ok || strings.ContainsAny(q.ID, offerMark+" ") {
		return text
	}
	return text + offerMark + strings.Join([]string{q.ID, q.Kind, s.lang}, " ")
}

// offered reads a remembered answer back: the final screen, with the
// question under it when one was offered.
func offered(text string) node {
	body, q, ok := strings.Cut(text, offerMark)
	if !ok {
		return endNode{text: body}
	}
	f := append(strings.Fields(q), "", "", "")
	return surveyNode{text: body, id: f[0], kind: f[1], lang: f[2]}
}

// surveyNode is a final screen with the feedback question under it. Its
// input is the answer only: "0" is a score on the NPS scale, not "back",
// and no path leads from it to the menus again.
type surveyNode struct {
	text     string // the final text the caller needed
	id, kind string
	// lang is the language the question was offered in: the screen comes
	// back the same whatever the caller chose since.
	lang string
}

func (n surveyNode) render(s *session, hint string) screen {
	t := textsFor(n.lang)
	if hint != "" {
		// The caller has read the text; the hint takes its place, so the
		// screen fits whatever its length.
		return con(hint, t.surveyQuestion(n.kind))
	}
	return con(n.text, t.surveyQuestion(n.kind))
}

func (n surveyNode) next(s *session, in string, last bool) (step, error) {
	if s.h.opts.Survey == nil {
		return closing(s.t.SessionOver), nil
	}
	score, err := strconv.Atoi(in)
	lo, hi := surveyScale(n.kind)
	if err != nil || !allDigits(in) || score < lo || score > hi {
		return stay(fmt.Sprintf(textsFor(n.lang).SurveyScale, lo, hi)), nil
	}
	return s.record(last, func(ctx context.Context) (string, error) {
		if err := s.h.opts.Survey.AnswerSurvey(ctx, s.msisdn, n.id, score); err != nil {
			return "", err
		}
		return textsFor(n.lang).SurveyThanks, nil
	})
}
