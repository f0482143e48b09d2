package notify

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
)

// Templates, per name and language. Token messages aim at one SMS: at most
// 160 GSM characters for a plain credit token, the token grouped 4-4-4-4-4,
// with the M-Pesa receipt so the customer can match payment and token.
// Key-change tokens come first, to be entered before the credit token.
var templates = map[string]map[string]string{
	"token": {
		"en": `{{.Utility}} Token
Mtr:{{.Meter}}
{{range .KeyTokens}}KeyChg{{.N}}:{{.Digits}}
{{end}}Token:{{.Token}}
Units:{{.Units}} Amt:{{.Amount}}
TknAmt:{{.TokenAmount}} Other:{{.Other}}
{{if .Compensation}}Compensation:{{.Compensation}} incl.
{{end}}{{.Receipt}} {{.Date}}`,
		"sw": `{{.Utility}} Tokeni
Mita:{{.Meter}}
{{range .KeyTokens}}Badili{{.N}}:{{.Digits}}
{{end}}Tokeni:{{.Token}}
Uniti:{{.Units}} Kiasi:{{.Amount}}
Tkn:{{.TokenAmount}} Ada:{{.Other}}
{{if .Compensation}}Fidia:{{.Compensation}} imo
{{end}}{{.Receipt}} {{.Date}}`,
	},
	"token_resend": {
		"en": `{{.Utility}} tokens for meter {{.Meter}}:{{range .Tokens}}
{{.Date}} {{.Digits}} {{.Units}}kWh{{end}}`,
		"sw": `{{.Utility}} tokeni za mita {{.Meter}}:{{range .Tokens}}
{{.Date}} {{.Digits}} {{.Units}}kWh{{end}}`,
	},
	"stk_paid": {
		"en": `We received your M-Pesa payment of {{.Amount}} for meter {{.Meter}}. Your token is on its way. If it has not come in 5 minutes, dial {{.USSD}}, choose 3 and enter the M-Pesa code from your SMS.`,
		"sw": `Tumepokea malipo yako ya M-Pesa ya {{.Amount}} kwa mita {{.Meter}}. Tokeni yako inakuja. Isipofika baada ya dakika 5, piga {{.USSD}}, chagua 3 na uweke nambari ya M-Pesa kutoka kwa SMS yako.`,
	},
	"token_delayed": {
		"en": `Payment of {{.Amount}} for meter {{.Meter}} received ({{.Receipt}}). Your token is {{.Token}}. You can also get it by dialling {{.USSD}}.`,
		"sw": `Malipo ya {{.Amount}} kwa mita {{.Meter}} yamepokelewa ({{.Receipt}}). Tokeni yako ni {{.Token}}. Unaweza pia kuipata kwa kupiga {{.USSD}}.`,
	},
	"consent": {
		"en": `{{.Utility}}: {{.Staff}} at {{.Hub}} asks to open your account. If you are there and agree, give them code {{.Code}} (5 minutes). If not, ignore this.`,
		"sw": `{{.Utility}}: {{.Staff}} wa {{.Hub}} anaomba kufungua akaunti yako. Kama upo na unakubali, mpe nambari {{.Code}} (dakika 5). La sivyo, puuza.`,
	},
	"otp": {
		"en": `Your {{.Utility}} login code is {{.Code}}. It expires in 5 minutes. Do not share it.`,
		"sw": `Nambari yako ya kuingia {{.Utility}} ni {{.Code}}. Itaisha baada ya dakika 5. Usimpe mtu.`,
	},
}

var parsed = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for name, langs := range templates {
		for lang, text := range langs {
			out[name+"/"+lang] = template.Must(template.New(name + "/" + lang).Option("missingkey=error").Parse(text))
		}
	}
	return out
}()

// Render fills a template in a language, falling back to English.
func Render(name, lang string, data any) (string, error) {
	t, ok := parsed[name+"/"+lang]
	if !ok {
		t, ok = parsed[name+"/en"]
	}
	if !ok {
		return "", fmt.Errorf("render %s: no such template", name)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("render %s/%s: %w", name, lang, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// TokenSMS is the data of the "token" template.
type TokenSMS struct {
	Utility     string
	Meter       string
	Token       string // grouped 4-4-4-4-4
	KeyTokens   []KeyToken
	Units       string // kWh, two decimals
	Amount      string // "KES 500.00"
	TokenAmount string // energy charge
	Other       string // every other charge, summed
	Receipt     string // M-Pesa receipt code
	Date        string // "2026-11-25 21:32", operator's zone
	// Compensation the service charter owed, included in the units ("50.00");
	// "" when none.
	Compensation string
}

// KeyToken is one key-change section in a token SMS.
type KeyToken struct {
	N      int
	Digits string
}
