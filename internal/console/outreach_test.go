package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// The reminders page shows the figures in English and Swahili to the
// roles that read reports, and nothing to the agents' supervisor.
func TestOutreachPage(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := staffMember(t, a, "care-outreach", staff.RoleCare)
		if status, page := c.get("/staff/outreach"); status != http.StatusOK || !strings.Contains(page, "No reminders in the last 30 days.") {
			t.Errorf("empty page: %d\n%s", status, page)
		}
		now := time.Now().In(tariff.Zone)
		err := a.DB.InTx(t.Context(), func(tx *store.Tx) error {
			_, err := tx.Exec(`INSERT INTO credit_reminders (meter_drn, vend_id, usual_days, since_days, phones, sent_at) VALUES
				('54500320905', 'v1', 9, 11, 2, $1), ('04123456784', 'v2', 7, 9, 1, $1)`, store.Micros(now))
			if err != nil {
				return err
			}
			_, err = tx.Exec(`INSERT INTO tariff_notices (tariff_id, effective_from, per_kwh, msisdn, message_id, sent_at) VALUES ('domestic', $1, 2366, '254712345678', 'm1', $2)`,
				store.Micros(time.Date(2027, 1, 1, 0, 0, 0, 0, tariff.Zone)), store.Micros(now))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		row := "<tr><td>" + now.Format(time.DateOnly) + "</td><td>2</td><td>3</td></tr>"
		status, page := c.get("/staff/outreach")
		if status != http.StatusOK || !strings.Contains(page, row) || !strings.Contains(page, "<tr><td>domestic</td><td>2027-01-01</td><td>1</td>") {
			t.Errorf("reminders page: %d; want %s and the notice in\n%s", status, row, page)
		}
		if strings.Contains(page, "254712345678") || strings.Contains(page, "54500320905") {
			t.Errorf("the page names a phone or a meter:\n%s", page)
		}
		if status, _, _ := c.post("/staff/language", url.Values{"lang": {"sw"}, "back": {"/staff/outreach"}}); status != http.StatusSeeOther {
			t.Fatalf("switch to Swahili: %d", status)
		}
		if _, page := c.get("/staff/outreach"); !strings.Contains(page, "Vikumbusho vya salio") || !strings.Contains(page, row) {
			t.Errorf("in Swahili:\n%s", page)
		}
		sup := staffMember(t, a, "sup-outreach", staff.RoleSupervisor)
		if status, _ := sup.get("/staff/outreach"); status != http.StatusForbidden {
			t.Errorf("supervisor: %d, want 403", status)
		}
	})
}
