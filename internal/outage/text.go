package outage

import "fmt"

// texts are the customer-facing words, in English and Swahili. SMS
// notices keep within one 160-character GSM message where they can.
var texts = map[string][2]string{
	"started":         {"%s: power is off in %s%s. %s We are working on it.", "%s: umeme umekatika %s%s. %s Tunashughulikia."},
	"etr_line":        {"Expected back by %s.", "Unatarajiwa kurudi kufikia %s."},
	"etr_unknown":     {"", ""},
	"etr":             {"%s: power in %s%s is now expected back by %s.", "%s: umeme %s%s sasa unatarajiwa kurudi kufikia %s."},
	"restored":        {"%s: power is back in %s%s. Reply 1 if you still have no power.", "%s: umeme umerudi %s%s. Jibu 1 kama bado huna umeme."},
	"planned":         {"%s: planned work in %s%s. Power off %s to %s.", "%s: kazi iliyopangwa %s%s. Umeme utakatika %s hadi %s."},
	"planned_open":    {"%s: planned work in %s%s. Power off from %s.", "%s: kazi iliyopangwa %s%s. Umeme utakatika kuanzia %s."},
	"feeder":          {" (feeder %s)", " (laini %s)"},
	"transformer":     {" (transformer %s)", " (transfoma %s)"},
	"still_off":       {"Sorry: your power is still off. Ticket %s is open and the crew is told.", "Samahani: bado huna umeme. Tiketi %s imefunguliwa na mafundi wamearifiwa."},
	"still_off_known": {"Sorry: your power is still off. We know and are working on it.", "Samahani: bado huna umeme. Tunajua na tunashughulikia."},
	"reported":        {"Thank you: your report of no power at meter %s is noted.", "Asante: ripoti yako ya kukosa umeme kwenye mita %s imepokelewa."},
	"reported_known":  {"We know: power is off in %s. %s", "Tunajua: umeme umekatika %s. %s"},
	"subscribed":      {"You will get outage notices for %s. Send UNSUBSCRIBE to stop.", "Utapata taarifa za kukatika kwa umeme %s. Tuma JITOE kusitisha."},
	"unsubscribed":    {"You will get no more outage notices for areas you subscribed to.", "Hutapata tena taarifa za maeneo uliyojiunga nayo."},
	"which_area":      {"Send SUBSCRIBE followed by the area, e.g. SUBSCRIBE Kibera.", "Tuma JIUNGE na jina la eneo, mfano JIUNGE Kibera."},
	"no_area":         {"We know no area %s.", "Hatujui eneo %s."},
	"status_none":     {"No known outage%s.", "Hakuna taarifa ya kukatika kwa umeme%s."},
	"status_in":       {" in %s", " %s"},
	"status_out":      {"Off: %s", "Umekatika: %s"},
	"status_planned":  {"Planned: %s %s", "Imepangwa: %s %s"},
	"tokens_ok":       {"Token SMS: normal, about %s.", "SMS za tokeni: kawaida, takriban %s."},
	"tokens_slow":     {"Token SMS: delayed, about %s; we are on it.", "SMS za tokeni: zinachelewa, takriban %s; tunashughulikia."},
	"tokens_quiet":    {"Token SMS: normal.", "SMS za tokeni: kawaida."},
	"back_by":         {"back by %s", "kurudi %s"},
	"desc_fault":      {"Power is off in %s%s.", "Umeme umekatika %s%s."},
	"desc_planned":    {"Planned work in %s%s.", "Kazi iliyopangwa %s%s."},
}

// text returns the words for key in lang (en when lang is not sw).
func text(lang, key string, args ...any) string {
	t := texts[key]
	s := t[0]
	if lang == "sw" {
		s = t[1]
	}
	return fmt.Sprintf(s, args...)
}
