package care

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/mteja/mteja/internal/store"
)

// Channels a survey score may come from.
const (
	AnswerSMS  = "sms"
	AnswerUSSD = "ussd"
)

// ErrSurveyScale is returned for a score outside the survey's scale.
var ErrSurveyScale = errors.New("score outside the survey's scale")

// OfferUSSD returns the survey question waiting on msisdn, of one of kinds,
// to be put on the last screen of a USSD session, and marks it offered: a
// question is put on one USSD screen at most, so that a caller is not asked
// in every session. The SMS rules hold at the time of the offer too: none
// to a phone that has opted out since, none while an outage is open in its
// area. ok is false when nothing may be asked.
func OfferUSSD(ctx context.Context, db *store.DB, msisdn string, kinds []string) (s Survey, ok bool, err error) {
	err = db.InTx(ctx, func(tx *store.Tx) error {
		w, found, err := waitingSurvey(tx, msisdn)
		if err != nil || !found || w.State != surveyAsked || !slices.Contains(kinds, w.Kind) {
			return err
		}
		var area string
		var offered sql.NullInt64
		if err := tx.QueryRow(`SELECT area, ussd_offered_at FROM surveys WHERE id = $1`, w.ID).Scan(&area, &offered); err != nil {
			return err
		}
		if offered.Valid {
			return nil
		}
		quiet, err := mustNotAsk(tx, msisdn, area)
		if err != nil || quiet {
			return err
		}
		res, err := tx.Exec(`UPDATE surveys SET ussd_offered_at = $2 WHERE id = $1 AND ussd_offered_at IS NULL AND state = 'asked'`,
			w.ID, store.Micros(tx.Now))
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		s, ok = w, k == 1
		return err
	})
	if err != nil {
		return Survey{}, false, fmt.Errorf("survey offer: %w", err)
	}
	return s, ok, nil
}

// RecordUSSDAnswer records score, typed on a USSD screen, as msisdn's answer to
// survey id: the same record as an SMS digit, with its channel. A second
// answer (a resent request, or an SMS digit first) changes nothing.
func RecordUSSDAnswer(ctx context.Context, db *store.DB, msisdn, id string, score int) error {
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var kind string
		err := tx.QueryRow(`SELECT kind FROM surveys WHERE id = $1 AND msisdn = $2`, id, msisdn).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if lo, hi := scaleOf(kind); score < lo || score > hi {
			return ErrSurveyScale
		}
		_, err = scoreSurvey(tx, id, score, AnswerUSSD)
		return err
	})
	if err != nil {
		return fmt.Errorf("survey answer: %w", err)
	}
	return nil
}

// scoreSurvey records a survey's score, unless it has one already; it
// tells whether this call recorded it.
func scoreSurvey(tx *store.Tx, id string, score int, channel string) (bool, error) {
	res, err := tx.Exec(`UPDATE surveys SET score = $2, answered_at = $3, state = 'scored', answer_channel = $4 WHERE id = $1 AND state = 'asked'`,
		id, score, store.Micros(tx.Now), channel)
	if err != nil {
		return false, err
	}
	k, err := res.RowsAffected()
	return k == 1, err
}
