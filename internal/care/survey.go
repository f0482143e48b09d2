package care

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
)

// Survey kinds: CSAT (1-5) after a resolved ticket, NPS (0-10) now and then.
const (
	SurveyCSAT = "csat"
	SurveyNPS  = "nps"
)

// Survey states: asked (a digit is awaited), scored (a few words why may
// follow) and done.
const (
	surveyAsked  = "asked"
	surveyScored = "scored"
	surveyDone   = "done"
)

// DefaultSurveyEvery is how seldom one phone is asked, at most.
const DefaultSurveyEvery = 30 * 24 * time.Hour

// surveyWindow is how long a survey waits for its answer and its words
// why; a digit after that is an ordinary message again.
const surveyWindow = 7 * 24 * time.Hour

// SurveyPolicy is how the desk asks for feedback.
type SurveyPolicy struct {
	// NoCSAT turns off the question after a resolved ticket.
	NoCSAT bool
	// Every is the least time between two questions to one phone;
	// zero means DefaultSurveyEvery.
	Every time.Duration
}

func (p SurveyPolicy) every() time.Duration {
	if p.Every <= 0 {
		return DefaultSurveyEvery
	}
	return p.Every
}

// Survey is one question asked of one phone.
type Survey struct {
	ID, Kind, MSISDN, Language string
	TicketID, Channel          string
	Category, Team, Area       string
	State                      string
	AskedAt, AnsweredAt        time.Time
	Score                      int // -1 until answered
	Comment, FollowUp          string
}

func scaleOf(kind string) (lo, hi int) {
	if kind == SurveyNPS {
		return 0, 10
	}
	return 1, 5
}

// low tells whether a score is a complaint: CSAT 1-2, NPS 0-6 (a detractor).
func low(kind string, score int) bool {
	if kind == SurveyNPS {
		return score <= 6
	}
	return score <= 2
}

// ErrSurveyNotAsked is returned when a phone may not be asked now: asked
// within the policy's days, opted out, or in an area with an open outage.
var ErrSurveyNotAsked = errors.New("survey not asked")

// ask asks s of its phone in tx, unless the phone was asked within every,
// has opted out of SMS, or has a meter in an area with an open outage
// (feedback then measures the outage, and annoys). The guard is one row a
// phone updated only when old enough, so that several nodes ask once.
func ask(tx *store.Tx, s Survey, every time.Duration) (Survey, error) {
	every = SurveyPolicy{Every: every}.every()
	now := store.Micros(tx.Now)
	quiet, err := mustNotAsk(tx, s.MSISDN, s.Area)
	if err != nil {
		return Survey{}, fmt.Errorf("survey: %w", err)
	}
	if quiet {
		return Survey{}, ErrSurveyNotAsked
	}
	res, err := tx.Exec(`INSERT INTO survey_asks (msisdn, asked_at) VALUES ($1, $2)
		ON CONFLICT (msisdn) DO UPDATE SET asked_at = excluded.asked_at WHERE survey_asks.asked_at <= $3`,
		s.MSISDN, now, now-every.Microseconds())
	if err != nil {
		return Survey{}, fmt.Errorf("survey: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		return Survey{}, errors.Join(ErrSurveyNotAsked, err)
	}
	s.ID, s.State, s.AskedAt, s.Score = uuid.Must(uuid.NewV7()).String(), surveyAsked, tx.Now, -1
	_, err = tx.Exec(`INSERT INTO surveys (id, kind, msisdn, language, ticket_id, channel, category, team, area, state, asked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		s.ID, s.Kind, s.MSISDN, s.Language, s.TicketID, s.Channel, s.Category, s.Team, s.Area, s.State, now)
	if err != nil {
		return Survey{}, fmt.Errorf("survey: %w", err)
	}
	// The bulk lane: a question never goes ahead of a token.
	m := notify.Message{ID: uuid.Must(uuid.NewV7()).String(), Recipient: s.MSISDN, Lane: notify.LaneBulk, Template: "survey",
		Language: s.Language, Body: textIn(s.Language, "survey_"+s.Kind), Ref: s.ID}
	if err := notify.Enqueue(tx, m); err != nil {
		return Survey{}, fmt.Errorf("survey: %w", err)
	}
	return s, nil
}

// mustNotAsk tells whether msisdn may not be asked now: it has opted out
// of SMS, or has a meter (or area, when given) with an open outage.
func mustNotAsk(tx *store.Tx, msisdn, area string) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT
		(SELECT count(*) FROM sms_optouts WHERE msisdn = $1) +
		(SELECT count(*) FROM outages o WHERE o.restored_at IS NULL AND o.starts_at <= $2 AND (o.ends_at IS NULL OR o.ends_at > $2)
			AND (o.area = $3 OR o.area IN (SELECT m.area FROM meters m JOIN customer_phones p ON p.customer_id = m.customer_id WHERE p.msisdn = $1)))`,
		msisdn, store.Micros(tx.Now), area).Scan(&n)
	return n > 0, err
}

// meterArea returns the area of a meter, "" when unknown.
func meterArea(tx *store.Tx, drn string) (string, error) {
	if drn == "" {
		return "", nil
	}
	var area string
	err := tx.QueryRow(`SELECT area FROM meters WHERE drn = $1`, drn).Scan(&area)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return area, err
}

// askCSAT asks the customer of a just-resolved ticket how it went; a phone
// that may not be asked now is simply not asked.
func (d *Desk) askCSAT(tx *store.Tx, t Ticket) error {
	if d.Survey.NoCSAT || t.MSISDN == "" {
		return nil
	}
	area, err := meterArea(tx, t.MeterDRN)
	if err != nil {
		return err
	}
	s := Survey{Kind: SurveyCSAT, MSISDN: t.MSISDN, Language: t.Language, TicketID: t.ID, Channel: t.Channel, Category: t.Category, Team: t.Team, Area: area}
	if _, err := ask(tx, s, d.Survey.every()); err != nil && !errors.Is(err, ErrSurveyNotAsked) {
		return err
	}
	return nil
}

// AskNPS asks one phone the NPS question now, or returns ErrSurveyNotAsked;
// every of zero is DefaultSurveyEvery.
func AskNPS(ctx context.Context, db *store.DB, msisdn string, every time.Duration) (Survey, error) {
	var s Survey
	err := db.InTx(ctx, func(tx *store.Tx) error {
		s = Survey{Kind: SurveyNPS, MSISDN: msisdn, Language: "en", Channel: "sms"}
		err := tx.QueryRow(`SELECT c.language, COALESCE((SELECT min(m.area) FROM meters m WHERE m.customer_id = c.id), '')
			FROM customers c JOIN customer_phones p ON p.customer_id = c.id WHERE p.msisdn = $1 ORDER BY c.created_at LIMIT 1`, msisdn).Scan(&s.Language, &s.Area)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		s, err = ask(tx, s, every)
		return err
	})
	return s, err
}

// SweepNPS asks the NPS question of up to sample customers picked at
// random, one phone each, skipping those that may not be asked now. It is
// safe on several nodes at once: the guard in ask lets one of them ask.
func SweepNPS(ctx context.Context, db *store.DB, sample int, every time.Duration) (asked int, err error) {
	if sample <= 0 {
		return 0, nil
	}
	every = SurveyPolicy{Every: every}.every()
	phones, err := store.Strings(ctx, db.Read(), `SELECT min(msisdn) FROM customer_phones
		WHERE msisdn NOT IN (SELECT msisdn FROM survey_asks WHERE asked_at > $1)
		GROUP BY customer_id ORDER BY random() LIMIT $2`, store.Micros(db.Now().Add(-every)), sample)
	if err != nil {
		return 0, fmt.Errorf("nps sweep: %w", err)
	}
	for _, p := range phones {
		_, err := AskNPS(ctx, db, p, every)
		switch {
		case err == nil:
			asked++
		case !errors.Is(err, ErrSurveyNotAsked):
			return asked, fmt.Errorf("nps sweep: %w", err)
		}
	}
	return asked, nil
}
