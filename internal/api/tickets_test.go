package api_test

import (
	"net/http"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/store"
)

// An agent opens a ticket for a customer at the counter: it comes from the
// agent, is audited under the agent's key, and the customer gets its
// reference by SMS in their language.
func TestAgentOpensTicket(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		mary := app.DemoCustomers[1] // reads Swahili
		var tk struct {
			Ref, Channel, Category, State string
		}
		a.JSON("POST", "/api/v1/tickets", a.Key("agent"), map[string]any{"phone": mary.Phone, "meter": mary.Meter, "category": "wrong_units", "note": "units few"}, http.StatusCreated, &tk)
		if tk.Channel != "agent" || tk.Category != "wrong_units" || tk.State != "new" {
			t.Errorf("the agent's ticket: %+v", tk)
		}
		a.WaitSMS(mary.Phone, "Tumepokea ripoti yako "+tk.Ref)
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'ticket.open' AND actor LIKE 'agent:%' AND detail LIKE $1`, tk.Ref+"%"); n != 1 {
			t.Errorf("%d audit events for the agent's ticket, want 1", n)
		}
	})
}
