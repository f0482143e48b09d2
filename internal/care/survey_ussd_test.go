package care_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// The question waiting on a phone is offered on USSD once, of the kinds
// that fit, never during an open outage in the area or after STOP; the
// digit typed there is its score, recorded once, and an SMS digit after it
// changes nothing.
func TestSurveyOverUSSD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		customers(t, db)
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		d := &care.Desk{DB: db, Survey: care.SurveyPolicy{Every: 30 * 24 * time.Hour}}
		both := []string{care.SurveyCSAT, care.SurveyNPS}

		if _, ok, err := care.OfferUSSD(ctx, db, swPhone, both); err != nil || ok {
			t.Fatalf("before any ticket: offered %v, %v", ok, err)
		}
		resolveOne(t, d)
		if _, ok, err := care.OfferUSSD(ctx, db, swPhone, []string{care.SurveyNPS}); err != nil || ok {
			t.Fatalf("CSAT waits, NPS only fits: offered %v, %v", ok, err)
		}
		o, err := care.AnnounceOutage(ctx, db, care.Outage{Area: "Kibera", Message: "Transformer down"}, "staff:amina")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := care.OfferUSSD(ctx, db, swPhone, both); err != nil || ok {
			t.Fatalf("during an outage in Kibera: offered %v, %v", ok, err)
		}
		if err := care.Restore(ctx, db, o.ID); err != nil {
			t.Fatal(err)
		}
		s, ok, err := care.OfferUSSD(ctx, db, swPhone, both)
		if err != nil || !ok || s.Kind != care.SurveyCSAT {
			t.Fatalf("after the outage: %+v, %v, %v", s, ok, err)
		}
		if _, ok, err := care.OfferUSSD(ctx, db, swPhone, both); err != nil || ok {
			t.Fatalf("a second time: offered %v, %v", ok, err)
		}

		if err := care.RecordUSSDAnswer(ctx, db, swPhone, s.ID, 6); !errors.Is(err, care.ErrSurveyScale) {
			t.Errorf("6 on CSAT: %v", err)
		}
		if err := care.RecordUSSDAnswer(ctx, db, enPhone, s.ID, 4); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another phone's answer: %v", err)
		}
		for range 2 {
			if err := care.RecordUSSDAnswer(ctx, db, swPhone, s.ID, 4); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := d.SurveyReply(ctx, swPhone, "2"); err != nil {
			t.Fatal(err)
		}
		var score int
		var channel string
		if err := db.Read().QueryRow(`SELECT score, answer_channel FROM surveys WHERE id = $1`, s.ID).Scan(&score, &channel); err != nil {
			t.Fatal(err)
		}
		if score != 4 || channel != care.AnswerUSSD {
			t.Errorf("score %d from %q, want 4 from ussd", score, channel)
		}

		// STOP: an NPS question waiting is not offered.
		now = now.Add(31 * 24 * time.Hour)
		if _, err := care.AskNPS(ctx, db, enPhone, 30*24*time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Write().ExecContext(ctx, `INSERT INTO sms_optouts (msisdn, created_at) VALUES ($1, $2)`, enPhone, store.Micros(now)); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := care.OfferUSSD(ctx, db, enPhone, both); err != nil || ok {
			t.Errorf("after STOP: offered %v, %v", ok, err)
		}
	})
}
