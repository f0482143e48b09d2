package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/outreach"
)

func TestReminderDemo(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	printReminderDemo(&out, outreach.Ways{Utility: "Mteja Power", Paybill: "888880", USSDCode: "*384*123#"}, now)
	for _, want := range []string{
		"makes up a purchase history for Mary Wanjiku", "not stored",
		"KES 300 on 28 Mar, 6 Apr, 14 Apr, 24 Apr, 17 May, 26 May, 4 Jun",
		"usually buys every 9 days", "it has been 11: she is due a reminder",
		"Mteja Power: kwa kawaida hununua umeme wa KES 300 kila siku 9; sasa ni siku 11. Lipa M-Pesa Paybill 888880, akaunti 04123456784.",
		"MTEJA_REMINDERS=on",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the reminder demo does not say %q:\n%s", want, out.String())
		}
	}
}
