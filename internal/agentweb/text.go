package agentweb

import "fmt"

// messages holds every phrase of the agent pages, per language; a test
// checks both have the same keys and that the templates use no other.
var messages = map[string]map[string]string{"en": english, "sw": swahili}

func t(lang, key string, args ...any) string {
	s, ok := messages[lang][key]
	if !ok {
		s, ok = english[key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

var english = map[string]string{
	"other.lang":         "Kiswahili",
	"other.code":         "sw",
	"signout":            "Sign out",
	"signin.title":       "Agent sign-in",
	"signin.phone":       "Your phone number",
	"signin.pin":         "PIN",
	"signin.submit":      "Sign in",
	"signin.wrong":       "Wrong phone number or PIN.",
	"signin.locked":      "Too many wrong PINs: sign-in is locked for a while. Ask the utility's office if it lasts.",
	"home.title":         "Sell tokens",
	"float":              "Float",
	"available":          "You can sell",
	"shift":              "This shift",
	"shift.sales":        "%d sales, cash %s",
	"sell.heading":       "Sell a token for cash",
	"sell.meter":         "Meter number",
	"sell.amount":        "Cash paid (KES)",
	"sell.submit":        "Sell",
	"sell.bad_amount":    "Enter whole shillings, e.g. 500.",
	"sell.no_float":      "Your float is too low for this sale. Top up by M-Pesa Paybill, account AGENT and your outlet code.",
	"sell.no_meter":      "No active meter with this number. Check it on the meter.",
	"sales.heading":      "Latest sales",
	"sales.none":         "No sales yet.",
	"sales.reprint":      "Receipt",
	"shift.heading":      "Close the shift",
	"shift.counted":      "Cash counted in the till (KES)",
	"shift.submit":       "Close shift",
	"shift.bad_count":    "Enter the cash counted, e.g. 1500.",
	"shift.none":         "No open shift: there were no sales since the last close.",
	"shift.closed_title": "Shift closed",
	"shift.expected":     "Cash expected",
	"shift.counted_is":   "Cash counted",
	"shift.difference":   "Difference",
	"shift.ledger":       "Taken from float (ledger)",
	"shift.balanced":     "Balanced: the cash, the sales and the ledger agree.",
	"shift.unbalanced":   "Not balanced: the difference is recorded with the shift.",
	"shift.opened":       "Opened",
	"shift.closed":       "Closed",
	"back":               "Back to sales",
	"receipt.title":      "Receipt",
	"receipt.ref":        "Ref",
	"receipt.meter":      "Meter",
	"receipt.paid":       "Paid (cash)",
	"receipt.units":      "Units",
	"receipt.token":      "Token",
	"receipt.pending":    "The token is on its way: it comes by SMS to the meter's phones. Reload this page to print it.",
	"receipt.agent":      "Agent",
	"receipt.print":      "Use your browser's Print to print this receipt (58 mm).",
	"receipt.thanks":     "Thank you. Enter the token on your meter.",
	"receipt.not_found":  "No sale of your outlet has this receipt.",
	"error.title":        "Sorry",
	"error.forbidden":    "This form came from another site and was refused.",
	"error.form":         "The form could not be read. Please try again.",
	"error.too_many":     "Too many sign-in attempts from here. Please wait an hour.",
	"error.internal":     "Something went wrong. Please try again.",
}

var swahili = map[string]string{
	"other.lang":         "English",
	"other.code":         "en",
	"signout":            "Ondoka",
	"signin.title":       "Kuingia kwa wakala",
	"signin.phone":       "Nambari yako ya simu",
	"signin.pin":         "PIN",
	"signin.submit":      "Ingia",
	"signin.wrong":       "Nambari ya simu au PIN si sahihi.",
	"signin.locked":      "PIN zisizo sahihi nyingi: kuingia kumefungwa kwa muda. Uliza ofisi ya kampuni ikiendelea.",
	"home.title":         "Uza tokeni",
	"float":              "Float",
	"available":          "Unaweza kuuza",
	"shift":              "Zamu hii",
	"shift.sales":        "mauzo %d, pesa %s",
	"sell.heading":       "Uza tokeni kwa pesa taslimu",
	"sell.meter":         "Nambari ya mita",
	"sell.amount":        "Pesa iliyolipwa (KES)",
	"sell.submit":        "Uza",
	"sell.bad_amount":    "Andika shilingi kamili, mfano 500.",
	"sell.no_float":      "Float yako haitoshi kwa mauzo haya. Ongeza kwa M-Pesa Paybill, akaunti AGENT na nambari ya duka lako.",
	"sell.no_meter":      "Hakuna mita hai yenye nambari hii. Iangalie kwenye mita.",
	"sales.heading":      "Mauzo ya karibuni",
	"sales.none":         "Bado hakuna mauzo.",
	"sales.reprint":      "Risiti",
	"shift.heading":      "Funga zamu",
	"shift.counted":      "Pesa taslimu uliyohesabu (KES)",
	"shift.submit":       "Funga zamu",
	"shift.bad_count":    "Andika pesa uliyohesabu, mfano 1500.",
	"shift.none":         "Hakuna zamu wazi: hakuna mauzo tangu ulipofunga.",
	"shift.closed_title": "Zamu imefungwa",
	"shift.expected":     "Pesa inayotarajiwa",
	"shift.counted_is":   "Pesa iliyohesabiwa",
	"shift.difference":   "Tofauti",
	"shift.ledger":       "Iliyotolewa kwenye float (leja)",
	"shift.balanced":     "Inalingana: pesa, mauzo na leja zinakubaliana.",
	"shift.unbalanced":   "Hailingani: tofauti imerekodiwa na zamu.",
	"shift.opened":       "Ilifunguliwa",
	"shift.closed":       "Ilifungwa",
	"back":               "Rudi kwenye mauzo",
	"receipt.title":      "Risiti",
	"receipt.ref":        "Kumb",
	"receipt.meter":      "Mita",
	"receipt.paid":       "Imelipwa (taslimu)",
	"receipt.units":      "Uniti",
	"receipt.token":      "Tokeni",
	"receipt.pending":    "Tokeni inakuja: itatumwa kwa SMS kwa simu za mita. Pakia ukurasa huu tena ili kuichapisha.",
	"receipt.agent":      "Wakala",
	"receipt.print":      "Tumia Print ya kivinjari chako kuchapisha risiti hii (58 mm).",
	"receipt.thanks":     "Asante. Weka tokeni kwenye mita yako.",
	"receipt.not_found":  "Hakuna mauzo ya duka lako yenye risiti hii.",
	"error.title":        "Samahani",
	"error.forbidden":    "Fomu hii ilitoka tovuti nyingine na imekataliwa.",
	"error.form":         "Fomu haikusomeka. Tafadhali jaribu tena.",
	"error.too_many":     "Majaribio mengi ya kuingia kutoka hapa. Tafadhali subiri saa moja.",
	"error.internal":     "Hitilafu imetokea. Tafadhali jaribu tena.",
}
