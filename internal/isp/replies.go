package isp

import (
	"fmt"
	"strings"
)

// Replies to customers' SMS and USSD requests, in English and Swahili.
var replies = map[string][2]string{
	// USAGE (MATUMIZI)
	"line":       {"%s: %s. %s %s Wallet: %s.", "%s: %s. %s %s Pochi: %s."},
	"data_left":  {"Data left: %s of %s.", "Data iliyobaki: %s kati ya %s."},
	"unlimited":  {"Data: unlimited.", "Data: bila kikomo."},
	"fair_use":   {"(fair-use speed)", "(kasi ya matumizi ya haki)"},
	"until":      {"Until %s.", "Hadi %s."},
	"no_end":     {"", ""},
	"no_service": {"No service until paid.", "Hakuna huduma hadi ulipe."},
	"no_plan":    {"%s: no plan. Wallet: %s.", "%s: hakuna kifurushi. Pochi: %s."},
	"none":       {"No internet account is registered to this phone.", "Hakuna akaunti ya intaneti iliyosajiliwa kwa simu hii."},
	"not_yours":  {"The usage of %s is sent only to its registered phones.", "Matumizi ya %s hutumwa kwa simu zake zilizosajiliwa tu."},
	// VOUCHER (VOCHA)
	"voucher_how":     {"Send VOUCHER and the 12-digit code, and the account name if it is not yours.", "Tuma VOCHA na nambari 12 za vocha, na jina la akaunti kama si yako."},
	"voucher_whose":   {"No internet account is registered to this phone: send VOUCHER, the code and the account name.", "Hakuna akaunti ya intaneti iliyosajiliwa kwa simu hii: tuma VOCHA, nambari na jina la akaunti."},
	"voucher_which":   {"Which account? Send VOUCHER, the code and one of: %s.", "Akaunti gani? Tuma VOCHA, nambari na moja ya: %s."},
	"voucher_limit":   {"Too many vouchers tried. Please try again in an hour.", "Umejaribu vocha nyingi. Tafadhali jaribu tena baada ya saa moja."},
	"voucher_ok":      {"Voucher accepted for %s.", "Vocha imekubaliwa kwa %s."},
	"voucher_bad":     {"That is not a valid voucher code. Check it and try again.", "Nambari hiyo si ya vocha halali. Hakikisha na ujaribu tena."},
	"voucher_used":    {"That voucher has already been used.", "Vocha hiyo imeshatumika."},
	"voucher_expired": {"That voucher has expired.", "Vocha hiyo imepitwa na wakati."},
	"voucher_nobody":  {"There is no account %s.", "Hakuna akaunti %s."},
}

// say fills the reply key in lang (English unless "sw").
func say(lang, key string, args ...any) string {
	t := replies[key]
	s := t[0]
	if lang == "sw" {
		s = t[1]
	}
	return strings.TrimSpace(strings.ReplaceAll(fmt.Sprintf(s, args...), "  ", " "))
}
