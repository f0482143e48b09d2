package care_test

import (
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/care"
)

// A configured list of categories is read whole or refused with a reason
// naming the entry; the shipped list passes its own check.
func TestParseCategories(t *testing.T) {
	if err := care.CheckCategories(care.DefaultCategories); err != nil {
		t.Fatalf("the shipped list: %v", err)
	}
	good := "- {name: no_token, en: No token, sw: Sijapata tokeni, team: care, priority: high}\n- {name: other, en: Other, sw: Nyingine, team: care}\n"
	cs, err := care.ParseCategories([]byte(good))
	if err != nil || len(cs) != 2 || cs[0].Label("sw") != "Sijapata tokeni" {
		t.Fatalf("good list: %+v, %v", cs, err)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"empty", "[]", "empty"},
		{"no other", "- {name: billing, en: Billing, sw: Bili, team: billing}", `"other"`},
		{"twice", good + "- {name: other, en: Other, sw: Nyingine, team: care}", "twice"},
		{"no swahili", "- {name: other, en: Other, team: care}", "Swahili"},
		{"no team", "- {name: other, en: Other, sw: Nyingine}", "team"},
		{"bad priority", "- {name: other, en: Other, sw: Nyingine, team: care, priority: asap}", "asap"},
		{"spaced name", "- {name: no power, en: Other, sw: Nyingine, team: care}", "no power"},
		{"unknown field", "- {name: other, en: Other, sw: Nyingine, team: care, sla: 4h}", "sla"},
		{"not a list", "name: other", "cannot unmarshal"},
	} {
		if _, err := care.ParseCategories([]byte(tc.yaml)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want an error with %q", tc.name, err, tc.want)
		}
	}
}
