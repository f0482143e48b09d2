package keyword_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/keyword"
	"github.com/mteja/mteja/internal/outage"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// The outage keywords: STATUS of one's area or another, SUBSCRIBE to an
// area without a meter there and UNSUBSCRIBE, NOPOWER, in both languages;
// with no outages configured they are unknown words.
func TestOutageKeywords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup(t, db)
		if _, err := db.Write().Exec(`UPDATE meters SET area = 'Kibera', feeder = 'F1'`); err != nil {
			t.Fatal(err)
		}
		p := &outage.Phone{DB: db, Check: &outage.Check{DB: db, Desk: &care.Desk{DB: db}}}
		r := &keyword.Responder{DB: db, Utility: "Mteja Power", USSDCode: "*384*123#", Outages: p}
		ask := func(from, text string, want ...string) {
			t.Helper()
			rep, err := r.Answer(ctx, from, text)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range want {
				if !strings.Contains(rep.Body, w) {
					t.Errorf("%s %q: %q; want %q in it", from, text, rep.Body, w)
				}
			}
			if len(rep.Body) > 182 {
				t.Errorf("%s %q: %d characters", from, text, len(rep.Body))
			}
		}
		ask("254712345678", "HALI", "Hakuna taarifa ya kukatika kwa umeme Kibera.", "SMS za tokeni")
		ask("254712345678", "nopower", "Asante", "04123456784") // a Swahili speaker's default
		if _, err := outage.Declare(ctx, db, outage.Outage{Level: outage.LevelFeeder, Place: "F1"}, "staff:amina"); err != nil {
			t.Fatal(err)
		}
		ask("254799999999", "status kibera", "Off: Kibera (feeder F1).", "Token SMS:")
		ask("254712345678", "GIZA", "Tunajua: umeme umekatika Kibera (laini F1)")
		ask("254799999999", "SUBSCRIBE", "Send SUBSCRIBE followed by the area")
		ask("254799999999", "SUBSCRIBE Atlantis", "We know no area ATLANTIS")
		ask("254799999999", "subscribe KIBERA", "You will get outage notices for Kibera.")
		var n int
		if err := db.Read().QueryRow(`SELECT count(*) FROM outage_subscriptions WHERE msisdn = '254799999999' AND area = 'Kibera'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d subscriptions (%v); want 1", n, err)
		}
		ask("254799999999", "JITOE", "Hutapata tena")
		if err := db.Read().QueryRow(`SELECT count(*) FROM outage_subscriptions`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d subscriptions after JITOE (%v); want 0", n, err)
		}
		off := &keyword.Responder{DB: db, Utility: "Mteja Power", USSDCode: "*384*123#"}
		if rep, err := off.Answer(ctx, "254799999999", "STATUS"); err != nil || !strings.Contains(rep.Body, "We did not understand") {
			t.Errorf("STATUS without outages: %q %v", rep.Body, err)
		}
	})
}
