package notify

import (
	"strings"
	"testing"
)

func TestTokenSMSFitsOneSMS(t *testing.T) {
	d := TokenSMS{Utility: "Mteja Power", Meter: "54500320905", Token: "3683-3915-5230-1084-7777",
		Units: "1234.56", Amount: "KES 35,000.00", TokenAmount: "25,000.00", Other: "10,000.00",
		Receipt: "SKL51ZDR4F", Date: "2026-11-25 21:32"}
	for _, lang := range []string{"en", "sw"} {
		s, err := Render("token", lang, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) > 160 {
			t.Errorf("%s token SMS is %d characters, more than one SMS:\n%s", lang, len(s), s)
		}
		if !strings.Contains(s, d.Token) || !strings.Contains(s, d.Receipt) || !strings.Contains(s, d.Meter) {
			t.Errorf("%s token SMS lacks token, receipt or meter:\n%s", lang, s)
		}
	}
	d.KeyTokens = []KeyToken{{1, "5163-8423-0600-4273-4509"}, {2, "1536-1891-7621-1350-2242"}}
	s, _ := Render("token", "en", d)
	if strings.Index(s, "KeyChg1") > strings.Index(s, "Token:") {
		t.Errorf("key-change tokens must come before the credit token:\n%s", s)
	}
}

func TestRenderMissingField(t *testing.T) {
	if _, err := Render("otp", "en", map[string]string{"Utility": "x"}); err == nil {
		t.Fatal("missing Code rendered without error")
	}
	if _, err := Render("nope", "en", nil); err == nil {
		t.Fatal("unknown template rendered")
	}
}
