package care

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// WaitingScore returns the survey waiting for a score from msisdn, asked
// within the survey window before now: what the portal offers to answer
// with a form instead of an SMS. ok is false when none waits.
func WaitingScore(ctx context.Context, q Querier, msisdn string, now time.Time) (s Survey, ok bool, err error) {
	var asked int64
	err = q.QueryRowContext(ctx, `SELECT id, kind, language, ticket_id, state, asked_at FROM surveys
		WHERE msisdn = $1 AND asked_at > $2 ORDER BY asked_at DESC, id DESC LIMIT 1`,
		msisdn, store.Micros(now.Add(-surveyWindow))).Scan(&s.ID, &s.Kind, &s.Language, &s.TicketID, &s.State, &asked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && s.State != surveyAsked) {
		return Survey{}, false, nil
	}
	if err != nil {
		return Survey{}, false, err
	}
	s.MSISDN, s.AskedAt, s.Score = msisdn, store.Time(asked), -1
	return s, true, nil
}

// Scale is the lowest and highest score of a survey kind.
func Scale(kind string) (lo, hi int) { return scaleOf(kind) }
