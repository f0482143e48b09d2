package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/browsertest"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// TestOutreachInBrowser opens the reminders page from the menu, at a
// desk's width and a phone's, as finance: reminders per Nairobi day and
// the notices of a tariff version, figures only; checked as tab.load
// says, and in Swahili and back. The supervisor's menu has no such page.
func TestOutreachInBrowser(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := browsertest.Start(t)
	today := time.Now().In(tariff.Zone)
	noon := time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, tariff.Zone)
	err := a.DB.InTx(t.Context(), func(tx *store.Tx) error {
		for i, phones := range []int{2, 1, 0} {
			if _, err := tx.Exec(`INSERT INTO credit_reminders (meter_drn, vend_id, usual_days, since_days, phones, sent_at) VALUES ($1, 'v', 9, 11, $2, $3)`,
				"0412345678"+string(rune('0'+i)), phones, store.Micros(noon.Add(-time.Duration(i)*time.Hour))); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`INSERT INTO tariff_notices (tariff_id, effective_from, per_kwh, msisdn, message_id, sent_at) VALUES ('domestic', $1, 2366, '254712345678', 'm1', $2)`,
			store.Micros(noon.AddDate(0, 0, 3).Truncate(24*time.Hour)), store.Micros(noon))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			tb := enrol(t, ctx, a, sc.Screen, "outreach-"+sc.name, staff.RoleFinance)
			p := tb.visit("reminders", chromedp.Click(chromedp.CSS(`nav a[href="/staff/outreach"]`)))
			row := noon.Format(time.DateOnly) + "\t3\t3"
			if !strings.Contains(p.Text, row) || !strings.Contains(p.Text, "domestic") || !strings.Contains(p.Text, "Low-credit reminders") {
				t.Errorf("the reminders page lacks %q or the notices:\n%s", row, p.Text)
			}
			noPhone(t, tb, "reminders", "254712345678")
		})
	}
	sup := staffMember(t, a, "outreach-supervisor", staff.RoleSupervisor)
	if status, page := sup.get("/staff/"); status != 200 || strings.Contains(page, `href="/staff/outreach"`) {
		t.Errorf("supervisor's home: %d, with a link to the reminders page", status)
	}
}
