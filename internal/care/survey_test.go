package care_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// surveySMS returns the survey questions queued to a phone.
func surveySMS(t *testing.T, db *store.DB, to string) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRow(`SELECT count(*) FROM messages WHERE recipient = $1 AND template = 'survey' AND lane = 'bulk'`, to).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// resolveOne opens a ticket for Mary's meter and resolves it.
func resolveOne(t *testing.T, d *care.Desk) care.Ticket {
	t.Helper()
	ctx := context.Background()
	tk, _, err := d.Open(ctx, care.Request{Channel: care.ChannelUSSD, MSISDN: swPhone, MeterDRN: swMeter, Category: care.CategoryBilling, Note: "bili"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetState(ctx, tk.ID, "staff:amina", care.StateResolved); err != nil {
		t.Fatal(err)
	}
	return tk
}

// A resolved ticket brings one CSAT question in the customer's language,
// in the bulk lane; a second within the policy's days, or any during an
// open outage in the customer's area, is not asked. NPS keeps to the same
// guard.
func TestSurveyThrottleAndOutage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		customers(t, db)
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		d := &care.Desk{DB: db, Survey: care.SurveyPolicy{Every: 30 * 24 * time.Hour}}

		resolveOne(t, d)
		if n := surveySMS(t, db, swPhone); n != 1 {
			t.Fatalf("%d questions after the first resolved ticket; want 1", n)
		}
		if got := sms(t, db, swPhone); !strings.Contains(got[len(got)-1], "sw: Tulishughulikiaje") {
			t.Errorf("question %q; want it in Swahili", got[len(got)-1])
		}
		now = now.Add(29 * 24 * time.Hour)
		resolveOne(t, d)
		if n := surveySMS(t, db, swPhone); n != 1 {
			t.Fatalf("%d questions after a second ticket within 30 days; want 1", n)
		}
		if _, err := care.AskNPS(ctx, db, swPhone, 30*24*time.Hour); !errors.Is(err, care.ErrSurveyNotAsked) {
			t.Errorf("NPS within 30 days of CSAT: %v; want not asked", err)
		}

		now = now.Add(2 * 24 * time.Hour)
		o, err := care.AnnounceOutage(ctx, db, care.Outage{Area: "Kibera", Message: "Transformer down"}, "staff:amina")
		if err != nil {
			t.Fatal(err)
		}
		resolveOne(t, d)
		if _, err := care.AskNPS(ctx, db, swPhone, 30*24*time.Hour); !errors.Is(err, care.ErrSurveyNotAsked) {
			t.Errorf("NPS during an outage in Kibera: %v; want not asked", err)
		}
		if n := surveySMS(t, db, swPhone); n != 1 {
			t.Fatalf("%d questions during an outage in the customer's area; want 1", n)
		}
		if s, err := care.AskNPS(ctx, db, enPhone, 30*24*time.Hour); err != nil || s.Kind != care.SurveyNPS || s.Language != "en" {
			t.Errorf("NPS to John, outside Kibera: %+v, %v", s, err)
		}

		if err := care.Restore(ctx, db, o.ID); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour) // a new ticket, not a repeat of the last
		resolveOne(t, d)
		if n := surveySMS(t, db, swPhone); n != 2 {
			t.Fatalf("%d questions after the outage, 31 days on; want 2", n)
		}
	})
}

// Two sweeps over the same customers ask each at most once, and off (a
// sample of 0) asks nobody.
func TestSweepNPSAsksOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		customers(t, db)
		if n, err := care.SweepNPS(ctx, db, 0, 0); err != nil || n != 0 {
			t.Fatalf("sweep with no sample asked %d, %v", n, err)
		}
		n1, err := care.SweepNPS(ctx, db, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		n2, err := care.SweepNPS(ctx, db, 10, 0)
		if err != nil || n1 != 2 || n2 != 0 {
			t.Fatalf("sweeps asked %d then %d (%v); want 2 then 0", n1, n2, err)
		}
		if surveySMS(t, db, swPhone) != 1 || surveySMS(t, db, enPhone) != 1 {
			t.Error("each customer should have one question")
		}
	})
}

// The digit answers the survey once however often it is delivered; a
// number outside the scale gets the scale; words after a good score are
// thanked; words after a low score open a ticket about staff conduct.
func TestSurveyReply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		customers(t, db)
		d := &care.Desk{DB: db}
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }

		if _, ok, err := d.SurveyReply(ctx, swPhone, "5"); err != nil || ok {
			t.Fatalf("a digit with no survey waiting was taken: %v, %v", ok, err)
		}
		tk := resolveOne(t, d)
		steps := []struct {
			text, reply string
			ok          bool
		}{
			{"hello", "", false}, // not an answer: for the ticket and keywords
			{"7", "Tafadhali jibu kwa namba moja kuanzia 1 hadi 5.", true},
			{"0", "Tafadhali jibu kwa namba moja kuanzia 1 hadi 5.", true},
			{" 1 ", "Samahani. Jibu kwa maneno machache", true},
			{"1", "", true}, // delivered twice
			{"Fundi alikuwa mkorofi sana", "", true},
			{"Fundi alikuwa mkorofi sana", "", true}, // delivered twice: one ticket
		}
		for _, s := range steps {
			a, ok, err := d.SurveyReply(ctx, swPhone, s.text)
			if err != nil || ok != s.ok || !strings.HasPrefix(a.Reply, s.reply) || (s.reply == "" && a.Reply != "") {
				t.Fatalf("%q: %q, %v, %v; want %q, %v", s.text, a.Reply, ok, err, s.reply, s.ok)
			}
		}
		var score, n int
		var comment, follow string
		if err := db.Read().QueryRow(`SELECT score, comment, followup_ticket, (SELECT count(*) FROM surveys) FROM surveys WHERE ticket_id = $1`, tk.ID).Scan(&score, &comment, &follow, &n); err != nil {
			t.Fatal(err)
		}
		if score != 1 || n != 1 || comment != "Fundi alikuwa mkorofi sana" || follow == "" {
			t.Fatalf("survey: score %d, comment %q, follow-up %q, %d surveys", score, comment, follow, n)
		}
		if ts, _ := care.Tickets(ctx, db.Read(), care.Filter{MSISDN: swPhone}); len(ts) != 2 {
			t.Errorf("%d tickets for Mary; want the resolved one and one complaint", len(ts))
		}
		if es, _ := care.Events(ctx, db.Read(), follow); len(es) != 2 {
			t.Errorf("complaint timeline %+v; want opened and the acknowledgement only", es)
		}
		c, err := care.GetTicket(ctx, db.Read(), follow)
		if err != nil || c.Category != care.CategoryStaffConduct || c.Note != comment || c.MeterDRN != swMeter {
			t.Fatalf("complaint ticket %+v, %v; want staff conduct about Mary's meter", c, err)
		}
		if _, ok, _ := d.SurveyReply(ctx, swPhone, "asante"); ok {
			t.Error("words after the survey was done were taken by it")
		}

		// A good NPS score and words: thanked, no ticket.
		if _, err := care.AskNPS(ctx, db, enPhone, 0); err != nil {
			t.Fatal(err)
		}
		for _, s := range [][2]string{{"10", "Thank you. If you like"}, {"Quick and friendly", "Thank you for telling us."}} {
			if a, ok, err := d.SurveyReply(ctx, enPhone, s[0]); err != nil || !ok || !strings.HasPrefix(a.Reply, s[1]) {
				t.Fatalf("%q: %q, %v, %v", s[0], a.Reply, ok, err)
			}
		}
		if ts, _ := care.Tickets(ctx, db.Read(), care.Filter{MSISDN: enPhone}); len(ts) != 0 {
			t.Errorf("a good score opened %d tickets", len(ts))
		}
	})
}

// Sweeps racing on several nodes ask one phone once: the guard row lets
// one of them through.
func TestSurveyGuardUnderRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		customers(t, db)
		var wg sync.WaitGroup
		var mu sync.Mutex
		asked := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := care.AskNPS(context.Background(), db, enPhone, 0)
				if err != nil && !errors.Is(err, care.ErrSurveyNotAsked) {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					asked++
				}
			}()
		}
		wg.Wait()
		if asked != 1 || surveySMS(t, db, enPhone) != 1 {
			t.Errorf("%d of 8 racing asks went through, %d questions queued; want 1", asked, surveySMS(t, db, enPhone))
		}
	})
}
