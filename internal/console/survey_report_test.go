package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// A resolved ticket's CSAT question reaches the customer, whose digit is
// thanked and shows in care's feedback report, in both languages; a bad
// period is a clear error, and finance does not see it.
func TestSurveyThroughConsole(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		john := app.DemoCustomers[0]
		tk, _, err := a.Desk.Open(t.Context(), care.Request{Channel: care.ChannelUSSD, MSISDN: john.Phone, Category: care.CategoryBilling, Note: "charged twice"})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Desk.SetState(t.Context(), tk.ID, "staff:care1", care.StateResolved); err != nil {
			t.Fatal(err)
		}
		a.WaitSMS(john.Phone, "How did we handle your report?")
		if err := a.Inbound(t.Context(), sms.Inbound{From: john.Phone, Text: "4"}); err != nil {
			t.Fatal(err)
		}
		a.WaitSMS(john.Phone, "Thank you. If you like")

		c := staffMember(t, a, "care1", staff.RoleCare)
		status, page := c.get("/staff/surveys")
		row := "<tr><td>USSD</td><td>1</td><td>1</td><td>4.0</td><td>100%</td><td>–</td></tr>"
		if status != http.StatusOK || !strings.Contains(page, "By channel") || !strings.Contains(page, row) {
			t.Errorf("feedback report: %d; want %s in\n%s", status, row, page)
		}
		// The digit came by SMS: the table by where answered shows it.
		if answered := "<tr><td>SMS</td><td>1</td><td>1</td><td>4.0</td><td>100%</td><td>–</td></tr>"; !strings.Contains(page, "By where answered") || !strings.Contains(page, answered) {
			t.Errorf("feedback report: want %s by where answered in\n%s", answered, page)
		}
		for path, want := range map[string]int{"/staff/surveys?from=March": 400, "/staff/surveys?from=2020-01&to=2026-01": 400, "/staff/surveys?from=2026-05&to=2026-04": 400} {
			if status, _ := c.get(path); status != want {
				t.Errorf("%s: %d, want %d", path, status, want)
			}
		}
		fin := staffMember(t, a, "fin1", staff.RoleFinance)
		if status, _ := fin.get("/staff/surveys"); status != http.StatusForbidden {
			t.Errorf("finance on the feedback report: %d, want 403", status)
		}
	})
}
