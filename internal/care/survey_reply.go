package care

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mteja/mteja/internal/store"
)

// SurveyAnswer is what SurveyReply did with an SMS.
type SurveyAnswer struct {
	Reply, Language string // the SMS back; "" for none
	Survey          Survey
}

// SurveyReply takes an SMS from msisdn as the answer to the survey waiting
// on it: a digit is its score (one outside the scale gets the scale back),
// a few words after the score are why. ok is false when no survey waits
// for this text, and it is then for the tickets and keywords. A repeated
// SMS (the network delivers some twice) is recorded once and not answered.
func (d *Desk) SurveyReply(ctx context.Context, msisdn, text string) (a SurveyAnswer, ok bool, err error) {
	text = strings.TrimSpace(text)
	score, digits := scoreOf(text)
	var complaint bool
	err = d.DB.InTx(ctx, func(tx *store.Tx) error {
		s, found, err := waitingSurvey(tx, msisdn)
		if err != nil || !found {
			return err
		}
		a.Survey, a.Language = s, s.Language
		lo, hi := scaleOf(s.Kind)
		switch {
		case s.State == surveyDone:
			ok = s.Comment == store.Truncate(text, 1000) // the words why again
			return nil
		case s.State == surveyAsked && !digits:
			return nil // not an answer: for the ticket or the keywords
		case s.State == surveyScored && digits:
			ok = true // the same answer again
			return nil
		case s.State == surveyAsked && (score < lo || score > hi):
			ok, a.Reply = true, textIn(s.Language, "survey_scale", lo, hi)
			return nil
		case s.State == surveyAsked:
			scored, err := scoreSurvey(tx, s.ID, score, AnswerSMS)
			if err != nil {
				return err
			}
			ok = true
			if scored {
				a.Survey.Score, a.Survey.State = score, surveyScored
				key := "survey_thanks"
				if low(s.Kind, score) {
					key = "survey_sorry"
				}
				a.Reply = textIn(s.Language, key)
			}
			return nil
		}
		// Scored, and words follow: why.
		res, err := tx.Exec(`UPDATE surveys SET comment = $2, state = 'done' WHERE id = $1 AND state = 'scored'`, s.ID, store.Truncate(text, 1000))
		if err != nil {
			return err
		}
		ok = true
		if k, _ := res.RowsAffected(); k == 1 {
			a.Survey.Comment, a.Survey.State = text, surveyDone
			complaint = low(s.Kind, s.Score)
			if !complaint {
				a.Reply = textIn(s.Language, "survey_noted")
			}
		}
		return nil
	})
	if err != nil || !complaint {
		if err != nil {
			err = fmt.Errorf("survey reply: %w", err)
		}
		return a, ok, err
	}
	// A low score with words is a complaint: a ticket, whose
	// acknowledgement (with its reference) is the answer.
	s := a.Survey
	drn, err := surveyMeter(ctx, d.DB, s)
	if err != nil {
		return a, ok, fmt.Errorf("survey complaint: %w", err)
	}
	t, _, err := d.Open(ctx, Request{Channel: ChannelSMS, MSISDN: msisdn, MeterDRN: drn, Category: complaintCategory(text), Note: text})
	if errors.Is(err, ErrTooMany) {
		return SurveyAnswer{Reply: textIn(s.Language, "survey_noted"), Language: s.Language, Survey: s}, ok, nil
	}
	if err != nil {
		return a, ok, fmt.Errorf("survey complaint: %w", err)
	}
	a.Survey.FollowUp = t.ID
	err = d.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE surveys SET followup_ticket = $2 WHERE id = $1`, s.ID, t.ID)
		return err
	})
	return a, ok, err
}

// scoreOf reads a reply of one or two digits.
func scoreOf(text string) (int, bool) {
	if len(text) == 0 || len(text) > 2 {
		return 0, false
	}
	n, err := strconv.Atoi(text)
	return n, err == nil && n >= 0
}

// waitingSurvey returns the phone's newest survey of the last days: one
// waiting for a score or for words why, or one done (whose words may be
// delivered again).
func waitingSurvey(tx *store.Tx, msisdn string) (Survey, bool, error) {
	s := Survey{MSISDN: msisdn, Score: -1}
	var asked int64
	var score *int64
	err := tx.QueryRow(`SELECT id, kind, language, ticket_id, state, asked_at, score, comment FROM surveys
		WHERE msisdn = $1 AND asked_at > $2 ORDER BY asked_at DESC, id DESC LIMIT 1`,
		msisdn, store.Micros(tx.Now.Add(-surveyWindow))).Scan(&s.ID, &s.Kind, &s.Language, &s.TicketID, &s.State, &asked, &score, &s.Comment)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Survey{}, false, nil
		}
		return Survey{}, false, err
	}
	s.AskedAt = store.Time(asked)
	if score != nil {
		s.Score = int(*score)
	}
	return s, true, nil
}

// surveyMeter is the meter a complaint is about: the surveyed ticket's.
func surveyMeter(ctx context.Context, db *store.DB, s Survey) (string, error) {
	if s.TicketID == "" {
		return "", nil
	}
	t, err := GetTicket(ctx, db.Read(), s.TicketID)
	return t.MeterDRN, err
}

// staffWords are words that make a complaint one about staff conduct.
var staffWords = []string{"STAFF", "AGENT", "RUDE", "TECHNICIAN", "BRIBE", "MFANYAKAZI", "WAFANYAKAZI", "FUNDI", "MKOROFI", "HONGO", "RUSHWA"}

func complaintCategory(text string) string {
	for _, w := range strings.Fields(strings.ToUpper(text)) {
		for _, s := range staffWords {
			if strings.Trim(w, ".,!?") == s {
				return CategoryStaffConduct
			}
		}
	}
	return CategoryOther
}
