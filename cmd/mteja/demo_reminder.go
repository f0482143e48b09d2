package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/outreach"
)

// demoReminderGaps are the days between the purchases the demo makes up for
// its second customer, oldest first: roughly every 9 days, with one long
// gap (a trip upcountry) that the median shrugs off.
var demoReminderGaps = []int{9, 8, 10, 23, 9, 9}

// printReminderDemo shows a low-credit reminder predicted from a purchase
// history. The history is made up for the demo and kept in memory only:
// storing invented vends would put tokens that were never issued into the
// customer's records and sales that the ledger never saw.
func printReminderDemo(w io.Writer, ways outreach.Ways, now time.Time) {
	c := app.DemoCustomers[1]
	last := now.AddDate(0, 0, -11)
	at := last
	ps := []outreach.Purchase{{VendID: "demo-0", At: last, Amount: money.MustFromMajor(300)}}
	for i := len(demoReminderGaps) - 1; i >= 0; i-- {
		at = at.AddDate(0, 0, -demoReminderGaps[i])
		ps = append(ps, outreach.Purchase{VendID: fmt.Sprintf("demo-%d", len(ps)), At: at, Amount: money.MustFromMajor(300)})
	}
	var dates []string
	for i := len(ps) - 1; i >= 0; i-- {
		dates = append(dates, ps[i].At.In(notify.Zone).Format("2 Jan"))
	}
	r := outreach.Assess(ps, now)
	verdict := "she is due a reminder"
	if r.Verdict != outreach.Due {
		verdict = "no reminder yet (" + r.Verdict + ")"
	}
	fmt.Fprintf(w, `
Low-credit reminders. The demo makes up a purchase history for %s (meter %s; not stored,
this database has no such purchases): KES 300 on %s.
From her own rhythm: she usually buys every %d days (the median gap; the long one does not count),
it has been %d: %s. The SMS 'mteja serve' would send her, in her language, once until
she buys again (never in quiet hours, nor during an outage in her area, nor after STOP):

%s

Reminders are off unless MTEJA_REMINDERS=on; tariff notices (MTEJA_TARIFF_NOTICES, on) tell each
customer of a price change three days before it applies.
`, c.Name, c.Meter, strings.Join(dates, ", "), r.UsualDays, r.SinceDays, verdict,
		indent(ways.ReminderText(c.Language, c.Meter, r)))
}
