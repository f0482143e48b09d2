package app

import (
	"context"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/ussd"
)

// ussdSurvey puts the feedback question waiting on a caller under the last
// USSD screen of a session, and records the digit typed there as its
// answer, as an SMS digit would be.
type ussdSurvey struct{ a *App }

var _ ussd.Survey = ussdSurvey{}

func (u ussdSurvey) OfferSurvey(ctx context.Context, msisdn string, kinds []string) (ussd.SurveyQuestion, bool, error) {
	s, ok, err := care.OfferUSSD(ctx, u.a.DB, msisdn, kinds)
	if err != nil || !ok {
		return ussd.SurveyQuestion{}, false, err
	}
	return ussd.SurveyQuestion{ID: s.ID, Kind: s.Kind}, true, nil
}

func (u ussdSurvey) AnswerSurvey(ctx context.Context, msisdn, id string, score int) error {
	return care.RecordUSSDAnswer(ctx, u.a.DB, msisdn, id, score)
}
