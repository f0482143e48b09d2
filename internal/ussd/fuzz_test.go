package ussd

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzText feeds arbitrary text paths to the handler: it must never panic,
// and must always answer a well-formed screen within the limit.
func FuzzText(f *testing.F) {
	for _, seed := range []string{
		"", "1", "1*1*500*1", "1*54500320905*0*00*7*2", "2*1*98*98*0*1", "2*98*7*1",
		"3*skl51zdr4f*98", "3*SKL51ZDR4S", "4*1*98*98", "5*3*1*a*b*00*0", "5*3*1***", "6*3",
		"00*00*0", "*", "**", "0*0*0", strings.Repeat("0*", 70), "\xff*1", "98*98*98", "1*99*-1*1e9",
		"7*2*1", "1*1*0500*1", "1*1*50000000000000000000",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	tb := setup(f, Options{})
	f.Fuzz(func(t *testing.T, text string, swahili bool) {
		msisdn := phoneMany
		if swahili {
			msisdn = phoneSw
		}
		code, body := tb.post(t, "fuzz", msisdn, text)
		form := url.Values{"sessionId": {"fuzz"}, "serviceCode": {"*384*123#"}, "phoneNumber": {"+" + msisdn},
			"networkCode": {"63902"}, "text": {text}}
		if len(form.Encode()) > maxBody {
			if code != 400 {
				t.Fatalf("oversized body answered %d", code)
			}
			return
		}
		if code != 200 {
			t.Fatalf("text %q: status %d %q", text, code, body)
		}
		checkReply(t, body)
		// The handler's safety cut must not be what keeps a screen short.
		if sc, _, err := tb.screenOf(msisdn, text); err == nil {
			if n := runes(sc.reply()); n > maxScreen {
				t.Fatalf("text %q: screen of %d characters:\n%s", text, n, sc.reply())
			}
		}
	})
}
