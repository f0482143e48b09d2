package portal_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store"
)

// A report made on the portal is a ticket from the portal; the customer
// sees on their report's page, in their language, what they said and every
// answer care sent them by SMS, never care's internal notes.
func TestPortalTicketThread(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		mary := app.DemoCustomers[1] // reads Swahili
		mv := newVisitor(t, a)
		mv.login(mary.Phone, map[string]bool{})
		report := mv.post("/report", url.Values{"meter": {mary.Meter}, "kind": {"token_rejected"}, "note": {"inasema REJECT"}})
		ref := strings.TrimPrefix(report.url, "/report/")
		tk, err := care.GetTicket(t.Context(), a.DB.Read(), ref)
		if err != nil || tk.Channel != care.ChannelPortal || tk.Category != care.CategoryTokenRejected {
			t.Fatalf("the portal's report: %+v, %v", tk, err)
		}
		if err := a.Desk.Note(t.Context(), tk.ID, "staff:amina", "siri ya ndani"); err != nil {
			t.Fatal(err)
		}
		if err := a.Desk.Reply(t.Context(), tk.ID, "staff:amina", "Tumekutumia tokeni mpya"); err != nil {
			t.Fatal(err)
		}
		p := mv.get(report.url)
		for _, want := range []string{"inasema REJECT", "Tumekutumia tokeni mpya", "Tulijibu", "Mita imekataa tokeni"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("Mary's report page lacks %q", want)
			}
		}
		if strings.Contains(p.body, "siri ya ndani") {
			t.Error("Mary sees care's internal note")
		}
		if p := mv.get("/report"); !strings.Contains(p.body, `href="/report/`+ref+`"`) {
			t.Errorf("Mary's recent reports do not link %s", ref)
		}
	})
}
