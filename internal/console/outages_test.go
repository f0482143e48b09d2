package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

var restoreRE = regexp.MustCompile(`/staff/outages/([0-9a-f-]{36})/restore`)

// Care declares an outage on a feeder from the console: its customers
// are texted (not the one on another feeder), then a new restoration
// time, then the restoration, whose "reply 1" opens a ticket. Bad input
// is a clear 400; an auditor reads the page but cannot act.
func TestOutagesThroughConsole(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		john, mary, ali := app.DemoCustomers[0], app.DemoCustomers[1], app.DemoCustomers[2]
		c := staffMember(t, a, "care1", staff.RoleCare)

		for _, bad := range []url.Values{
			{"level": {"pole"}, "place": {"X"}},
			{"level": {"feeder"}, "place": {"NO-SUCH-FEEDER"}},
			{"level": {"feeder"}, "place": {app.DemoFeeder}, "etr": {"tomorrow"}},
			{"level": {"area"}, "place": {"Nairobi West"}, "kind": {"planned"}},
		} {
			if status, _, page := c.post("/staff/outages", bad); status != http.StatusBadRequest || !strings.Contains(page, "Give times") && !strings.Contains(page, "Cannot do that") {
				t.Errorf("declare %v: %d; want 400 saying why\n%s", bad, status, page)
			}
		}
		etr := time.Now().Add(3 * time.Hour).In(tariff.Zone).Format("2006-01-02T15:04")
		status, h, page := c.post("/staff/outages", url.Values{"level": {"feeder"}, "place": {app.DemoFeeder}, "kind": {"fault"}, "etr": {etr}})
		if status != http.StatusSeeOther || h.Get("Location") != "/staff/outages?done=declared" {
			t.Fatalf("declare: %d %v\n%s", status, h, page)
		}
		a.WaitSMS(john.Phone, "power is off in Nairobi West (feeder "+app.DemoFeeder+")")
		// The USSD outage screen says the same, within one screen.
		if screen := dialUSSD(t, a, john.Phone, "6*1"); !strings.Contains(screen, "Off: Nairobi West (feeder "+app.DemoFeeder+") back by") || len(screen) > 182+4 {
			t.Errorf("USSD outage screen (%d): %q", len(screen), screen)
		}
		a.WaitSMS(mary.Phone, "umeme umekatika Nairobi West")
		_, page = c.get("/staff/outages?done=declared")
		m := restoreRE.FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, "Outage declared") {
			t.Fatalf("outages page has no open outage:\n%s", page)
		}
		id := m[1]
		if status, _, page := c.post("/staff/outages/"+id+"/confirm", nil); status != http.StatusBadRequest {
			t.Errorf("confirm a confirmed outage: %d\n%s", status, page)
		}
		later := time.Now().Add(5 * time.Hour).In(tariff.Zone)
		if status, _, page := c.post("/staff/outages/"+id+"/etr", url.Values{"etr": {later.Format("2006-01-02T15:04")}}); status != http.StatusSeeOther {
			t.Fatalf("new restoration time: %d\n%s", status, page)
		}
		if !a.Config.QuietHours.Quiet(time.Now()) {
			a.WaitSMS(john.Phone, "now expected back by "+later.Format("02/01 15:04"))
		}
		if status, _, page := c.post("/staff/outages/"+id+"/restore", nil); status != http.StatusSeeOther {
			t.Fatalf("restore: %d\n%s", status, page)
		}
		a.WaitSMS(john.Phone, "power is back in Nairobi West (feeder "+app.DemoFeeder+"). Reply 1")
		if err := a.Inbound(t.Context(), sms.Inbound{From: john.Phone, Text: "1"}); err != nil {
			t.Fatal(err)
		}
		a.WaitSMS(john.Phone, "F-") // the ticket's acknowledgement
		for _, msg := range a.SMSTo(ali.Phone) {
			if strings.Contains(msg.Text, "power") {
				t.Errorf("Ali, on another feeder, got %q", msg.Text)
			}
		}

		auditor := staffMember(t, a, "audit1", staff.RoleAuditor)
		if status, _ := auditor.get("/staff/outages"); status != http.StatusOK {
			t.Errorf("auditor reads outages: %d", status)
		}
		if status, _, _ := auditor.post("/staff/outages/"+id+"/restore", nil); status != http.StatusForbidden {
			t.Errorf("auditor restores: %d; want 403", status)
		}
	})
}
