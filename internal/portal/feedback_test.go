package portal_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/care"
)

// TestFeedbackOnPortal: the question asked by SMS after a resolved ticket
// can be answered on the portal; a low score with words opens a ticket,
// whose reference the page gives; a score off the scale is refused.
func TestFeedbackOnPortal(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	mary := app.DemoCustomers[1] // Swahili
	tk, _, err := a.Desk.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: mary.Phone, MeterDRN: mary.Meter, Category: care.CategoryBilling, Note: "bili"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Desk.SetState(ctx, tk.ID, "staff:amina", care.StateResolved); err != nil {
		t.Fatal(err)
	}
	v := newVisitor(t, a)
	seen := map[string]bool{}
	v.login(mary.Phone, seen)
	if p := v.get("/meters"); !strings.Contains(p.body, `<a href="/feedback">Tulikuuliza kwa SMS`) {
		t.Fatalf("meters page does not offer the waiting question:\n%s", p.body)
	}
	p := v.get("/feedback")
	checkPage(t, "sw /feedback", p, "sw")
	if !strings.Contains(p.body, "Tulishughulikiaje ripoti yako?") || strings.Count(p.body, `name="score"`) != 5 {
		t.Fatalf("feedback form:\n%s", p.body)
	}
	if p := v.post("/feedback", url.Values{"score": {"9"}}); p.status != 400 || !strings.Contains(p.body, "kutoka 1 hadi 5") {
		t.Errorf("score 9 of 5: status %d", p.status)
	}
	p = v.post("/feedback", url.Values{"score": {"1"}, "why": {"Mlichukua wiki nzima"}})
	checkPage(t, "sw /feedback sent", p, "sw")
	ref := regexp.MustCompile(`F-[A-Z0-9]{6}`).FindString(p.body)
	if p.status != 200 || ref == "" || ref == tk.Ref {
		t.Fatalf("after a low score with words: %d, ticket %q:\n%s", p.status, ref, p.body)
	}
	follow, err := care.GetTicket(ctx, a.DB.Read(), ref)
	if err != nil || follow.Note != "Mlichukua wiki nzima" || follow.MSISDN != mary.Phone {
		t.Errorf("follow-up ticket %+v, %v", follow, err)
	}
	var score int
	var state string
	a.DB.Read().QueryRow(`SELECT score, state FROM surveys WHERE ticket_id = $1`, tk.ID).Scan(&score, &state)
	if score != 1 || state != "done" {
		t.Errorf("survey score %d state %s; want 1, done", score, state)
	}
	if p := v.get("/feedback"); !strings.Contains(p.body, "Hakuna swali linalosubiri") {
		t.Errorf("a second look offers the answered question again")
	}
}
