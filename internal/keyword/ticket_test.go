package keyword_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/keyword"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// HELP alone is the help text; HELP (MSAADA) with words opens a ticket by
// SMS, whose reference the desk texts; the sender's next words that are no
// keyword land on that ticket, and a stranger's still get "we did not
// understand".
func TestHelpOpensATicketAndRepliesLandOnIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup(t, db)
		r := &keyword.Responder{DB: db, Utility: "Mteja Power", USSDCode: "*384*123#", Desk: &care.Desk{DB: db}}
		const mary = "254712345678"
		if rep, _ := r.Answer(ctx, mary, "HELP"); !strings.Contains(rep.Body, "TOKENI") {
			t.Errorf("HELP alone = %q; want the help text", rep.Body)
		}
		if rep, err := r.Handle(ctx, mary, "msaada mita haina umeme tangu jana"); err != nil || rep.Body != "" {
			t.Fatalf("MSAADA with words = %q, %v; want the desk to answer", rep.Body, err)
		}
		ts, _ := care.Tickets(ctx, db.Read(), care.Filter{MSISDN: mary})
		if len(ts) != 1 || ts[0].Channel != care.ChannelSMS || ts[0].Category != care.CategoryOutage || ts[0].Note != "mita haina umeme tangu jana" || ts[0].MeterDRN != "04123456784" {
			t.Fatalf("tickets %+v; want one outage ticket by SMS for Mary's meter", ts)
		}
		var acks int
		db.Read().QueryRow(`SELECT count(*) FROM messages WHERE recipient = $1 AND body LIKE $2`, mary, "%"+ts[0].Ref+"%").Scan(&acks)
		if acks != 1 {
			t.Errorf("%d SMS with the reference; want 1", acks)
		}
		rep, err := r.Handle(ctx, mary, "Bado giza hapa")
		if err != nil || !strings.Contains(rep.Body, ts[0].Ref) || rep.Language != "sw" {
			t.Errorf("a reply from Mary = %+v, %v; want it added to %s, in Swahili", rep, err, ts[0].Ref)
		}
		es, _ := care.Events(ctx, db.Read(), ts[0].ID)
		if last := es[len(es)-1]; last.Kind != care.EventIn || last.Body != "Bado giza hapa" {
			t.Errorf("last event %+v; want Mary's words in", last)
		}
		if rep, _ := r.Answer(ctx, "254799999999", "Bado giza hapa"); !strings.Contains(rep.Body, "We did not understand") {
			t.Errorf("a stranger's words = %q", rep.Body)
		}
	})
}

// One phone opens at most the desk's limit of tickets a day by SMS; past
// it, it is told its reports will be answered, and nothing is opened.
func TestHelpIsBoundedPerPhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup(t, db)
		r := &keyword.Responder{DB: db, Desk: &care.Desk{DB: db, MaxPerDay: 2}}
		const stranger = "254799000333"
		for i, text := range []string{"HELP no token", "HELP my bill", "HELP power"} {
			rep, err := r.Handle(ctx, stranger, text)
			if err != nil {
				t.Fatal(err)
			}
			if over := i >= 2; over != strings.Contains(rep.Body, "many reports") {
				t.Errorf("report %d: %q", i+1, rep.Body)
			}
		}
		if ts, _ := care.Tickets(ctx, db.Read(), care.Filter{MSISDN: stranger}); len(ts) != 2 {
			t.Errorf("%d tickets; want 2", len(ts))
		}
	})
}

// A digit from a phone with a survey waiting is its answer, ahead of the
// phone's active ticket; the same SMS delivered twice is answered once
// and lands nowhere else; with no survey waiting a digit is not understood.
func TestSurveyDigitBeforeTicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup(t, db)
		d := &care.Desk{DB: db}
		r := &keyword.Responder{DB: db, Desk: d}
		const mary = "254712345678"
		done, _, err := d.Open(ctx, care.Request{Channel: care.ChannelUSSD, MSISDN: mary, Category: care.CategoryBilling})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.SetState(ctx, done.ID, "staff:amina", care.StateResolved); err != nil {
			t.Fatal(err)
		}
		active, _, err := d.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: mary, Category: care.CategoryOutage})
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []string{"Asante. Ukipenda", ""} {
			rep, err := r.Handle(ctx, mary, "4")
			if err != nil || !strings.HasPrefix(rep.Body, want) || (want == "" && rep.Body != "") {
				t.Fatalf("delivery %d of \"4\": %q, %v; want %q", i+1, rep.Body, err, want)
			}
		}
		var n int
		db.Read().QueryRow(`SELECT count(*) FROM surveys WHERE msisdn = $1 AND score = 4`, mary).Scan(&n)
		if n != 1 {
			t.Errorf("%d surveys scored 4; want 1", n)
		}
		es, _ := care.Events(ctx, db.Read(), active.ID)
		for _, e := range es {
			if e.Kind == care.EventIn {
				t.Errorf("the survey's digit landed on the active ticket: %+v", e)
			}
		}
		if rep, _ := r.Answer(ctx, "254799999999", "4"); !strings.Contains(rep.Body, "We did not understand") {
			t.Errorf("a stranger's digit = %q", rep.Body)
		}
	})
}
