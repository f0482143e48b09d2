package care

import (
	"strings"
	"testing"
)

// The shipped knowledge base parses (parseMeterMessages checks every entry
// has both languages, fits a USSD screen and claims its display texts
// alone), and typed texts find their message whatever the case, spaces or
// punctuation.
func TestFindMeterMessage(t *testing.T) {
	t.Parallel()
	if len(MeterMessages()) < 10 {
		t.Fatalf("%d meter messages", len(MeterMessages()))
	}
	for typed, want := range map[string]string{
		"REJECT":       "rejected",
		"rejected":     "rejected",
		"Err":          "rejected",
		" used ":       "used",
		"Key-Change":   "key_change",
		"key change":   "key_change",
		"kct":          "key_change",
		"OVERFLOW!":    "overflow",
		"low credit":   "low_credit",
		"No Link":      "no_link",
		"lid open":     "tamper",
		"accept":       "accepted",
		"Imekataliwa":  "",
		"":             "",
		"...":          "",
		"54500320905":  "",
		"REJECTED NOW": "",
	} {
		m, ok := FindMeterMessage(typed)
		if ok != (want != "") || m.ID != want {
			t.Errorf("FindMeterMessage(%q) = %q, %v; want %q", typed, m.ID, ok, want)
		}
	}
	m, _ := FindMeterMessage("reject")
	if name, say := m.In("sw"); name != "Imekataliwa" || !strings.Contains(say, "tarakimu 20") {
		t.Errorf("Swahili: %q, %q", name, say)
	}
	if name, _ := m.In("fr"); name != "Rejected" {
		t.Errorf("another language: %q, want English", name)
	}
}

func TestParseMeterMessagesRefuses(t *testing.T) {
	t.Parallel()
	ok := "- id: a\n  shows: [A]\n  name: {en: A, sw: A}\n  say: {en: a, sw: a}\n  fault: none\n"
	if _, err := parseMeterMessages([]byte(ok)); err != nil {
		t.Fatalf("a good entry: %v", err)
	}
	for name, tc := range map[string]struct{ yaml, want string }{
		"no Swahili":    {strings.Replace(ok, "sw: a}", "}", 1), "advice in sw"},
		"unknown fault": {strings.Replace(ok, "fault: none", "fault: fire", 1), `fault "fire"`},
		"unknown key":   {ok + "  colour: red\n", "colour"},
		"shown twice":   {ok + strings.Replace(ok, "id: a", "id: b", 1), `"A" is also shown by a`},
		"too long":      {strings.Replace(ok, "en: a, sw", "en: "+strings.Repeat("x", MaxMeterSay+1)+", sw", 1), "more than a screen"},
		"shows nothing": {strings.Replace(ok, "[A]", "['--']", 1), "shows nothing"},
		"not a list":    {"id: a\n", "meter messages"},
		"without id":    {strings.Replace(ok, "id: a", "id: ''", 1), "needs an id"},
	} {
		_, err := parseMeterMessages([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, tc.want)
		}
	}
}
