package care

import "fmt"

// ticketTexts are the desk's own SMS to customers, in English and Swahili.
var ticketTexts = map[string][2]string{
	"ack": {"We received your report %s (%s). We will answer by SMS; reply to this SMS to add to it.",
		"Tumepokea ripoti yako %s (%s). Tutakujibu kwa SMS; jibu SMS hii kuongeza maelezo."},
	"resolved": {"Your report %s is resolved. If the problem remains, reply to this SMS.",
		"Ripoti yako %s imeshughulikiwa. Tatizo likiendelea, jibu SMS hii."},
	"closed":   {"Your report %s is closed.", "Ripoti yako %s imefungwa."},
	"reopened": {"Your report %s is open again; we are working on it.", "Ripoti yako %s imefunguliwa tena; tunaishughulikia."},
	"meter_hint": {"Tell us what your meter shows: reply METER and the message, e.g. METER REJECT.",
		"Tuambie mita yako inaonyesha nini: jibu MITA na ujumbe, mfano MITA REJECT."},
	"token": {"Your payment %s is vended: %s kWh. Token: %s",
		"Malipo yako %s yameshughulikiwa: kWh %s. Tokeni: %s"},
	"survey_csat": {"How did we handle your report? Reply with a number from 1 (very poor) to 5 (very good).",
		"Tulishughulikiaje ripoti yako? Jibu kwa namba kuanzia 1 (vibaya sana) hadi 5 (vizuri sana)."},
	"survey_nps": {"How likely are you to recommend us to a friend? Reply with a number from 0 (not at all) to 10 (certainly).",
		"Kuna uwezekano gani utupendekeze kwa rafiki? Jibu kwa namba kuanzia 0 (hapana kabisa) hadi 10 (hakika)."},
	"survey_scale": {"Please reply with one number from %d to %d.", "Tafadhali jibu kwa namba moja kuanzia %d hadi %d."},
	"survey_thanks": {"Thank you. If you like, reply with a few words telling us why.",
		"Asante. Ukipenda, jibu kwa maneno machache ukituambia kwa nini."},
	"survey_sorry": {"We are sorry. Reply with a few words telling us what went wrong, and we will look into it.",
		"Samahani. Jibu kwa maneno machache ukituambia kilichoharibika, nasi tutalishughulikia."},
	"survey_noted": {"Thank you for telling us.", "Asante kwa kutuambia."},
	"verifying": {"Your payment %s is being confirmed with M-Pesa; your token follows by SMS.",
		"Malipo yako %s yanathibitishwa na M-Pesa; tokeni itafuata kwa SMS."},
}

func (d *Desk) text(lang, key string, args ...any) string { return textIn(lang, key, args...) }

func textIn(lang, key string, args ...any) string {
	t := ticketTexts[key]
	s := t[0]
	if lang == "sw" {
		s = t[1]
	}
	return fmt.Sprintf(s, args...)
}
