package outreach

import (
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/money"
)

// texts are the messages in English and Swahili. Each fits one SMS (160
// GSM characters) with a 13-digit meter, a 7-digit Paybill and the default
// utility name; the tests hold them to it.
var texts = map[string][2]string{
	"reminder": {"%s: you usually buy KES %s of power every %d days; it has been %d. %s",
		"%s: kwa kawaida hununua umeme wa KES %s kila siku %d; sasa ni siku %d. %s"},
	"reminder_daily": {"%s: you usually buy KES %s of power every day; it has been %d days. %s",
		"%s: kwa kawaida hununua umeme wa KES %s kila siku; sasa ni siku %d. %s"},
	"by_paybill": {"Pay M-Pesa Paybill %s, account %s.",
		"Lipa M-Pesa Paybill %s, akaunti %s."},
	"by_ussd": {"Dial %s to buy for meter %s.",
		"Piga %s kununua kwa mita %s."},
	"stop": {" Send STOP to end reminders.", " Tuma SITISHA kusimamisha."},
	"tariff": {"%s: new prices from %s. A unit (kWh) will cost KES %s, now KES %s, all charges included. KES %s will buy %s kWh, now %s.",
		"%s: bei mpya kuanzia %s. Uniti (kWh) itagharimu KES %s, sasa KES %s, pamoja na ada zote. KES %s itanunua kWh %s, sasa %s."},
}

// text returns the message key in lang (Swahili for "sw", else English).
func text(lang, key string, args ...any) string {
	t := texts[key]
	s := t[0]
	if lang == "sw" {
		s = t[1]
	}
	return fmt.Sprintf(s, args...)
}

// smsLen is the most characters a message may take to go as one SMS.
const smsLen = 160

// withStop adds the opt-out hint when the message still fits one SMS.
func withStop(lang, body string) string {
	if s := body + text(lang, "stop"); len(s) <= smsLen {
		return s
	}
	return body
}

// wholeShillings formats an amount as whole shillings, rounded half up:
// "1,000" (a usual amount needs no cents).
func wholeShillings(a money.Amount) string {
	whole := (a + money.MinorPerMajor/2) / money.MinorPerMajor * money.MinorPerMajor
	return strings.TrimSuffix(whole.String(), ".00")
}
