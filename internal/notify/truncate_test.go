package notify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// refusingWith is a route whose gateway refuses every message with text, an
// error in letters of two bytes each (ŋ).
type refusingWith struct{ text string }

func (r refusingWith) Send(context.Context, sms.Message) (sms.SubmitResult, error) {
	return sms.SubmitResult{}, fmt.Errorf("%s: %w", r.text, sms.ErrPermanent)
}

// A gateway's error longer than the 500 bytes kept is cut between
// characters, so the failure is recorded whole-lettered: no stray "?" for
// half a letter, and a row PostgreSQL takes. Two errors, one byte apart in
// length, make sure one cut falls inside a letter.
func TestLongErrorCutBetweenCharacters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for i, text := range []string{strings.Repeat("ŋ", 400), "a" + strings.Repeat("ŋ", 400)} {
			ref := fmt.Sprintf("long-%d", i)
			w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: refusingWith{text}}}}
			enqueue(t, db, token("254708374149", ref))
			drain(t, w)
			m := get(t, db, ref)
			if m.State != notify.StateFailed || !utf8.ValidString(m.LastError) || len(m.LastError) < 499 || len(m.LastError) > 500 ||
				!strings.HasSuffix(m.LastError, "ŋ") {
				t.Errorf("%s: state %s, error of %d bytes (valid UTF-8: %v) ending %q; want failed, 499-500 bytes ending in a whole letter",
					ref, m.State, len(m.LastError), utf8.ValidString(m.LastError), m.LastError[max(0, len(m.LastError)-6):])
			}
		}
	})
}
