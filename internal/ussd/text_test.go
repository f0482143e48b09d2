package ussd

import (
	"reflect"
	"strings"
	"testing"
)

// TestTextsComplete checks that Swahili says everything English says, with
// the same placeholders, and is not English left untranslated.
func TestTextsComplete(t *testing.T) {
	t.Parallel()
	en, sw := reflect.ValueOf(english), reflect.ValueOf(swahili)
	for i := range en.NumField() {
		name := en.Type().Field(i).Name
		e, s := en.Field(i).String(), sw.Field(i).String()
		if e == "" || s == "" {
			t.Errorf("%s: empty (en %q, sw %q)", name, e, s)
			continue
		}
		if e == s {
			t.Errorf("%s: Swahili is the English %q", name, e)
		}
		if strings.Count(e, "%s") != strings.Count(s, "%s") || strings.Count(e, "%") != strings.Count(s, "%") {
			t.Errorf("%s: placeholders differ: %q, %q", name, e, s)
		}
	}
}

func TestGroupToken(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"36833915523010847777": "3683-3915-5230-1084-7777",
		"3683391552301084777":  "3683391552301084777", // not 20 digits: as stored
		"3683391552301084777x": "3683391552301084777x",
		"":                     "",
	} {
		if got := groupToken(in); got != want {
			t.Errorf("groupToken(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{"1", []string{"1"}},
		{"1*2* 500 ", []string{"1", "2", "500"}},
		{"1**2", []string{"1", "", "2"}},
		{"*", []string{"", ""}},
	} {
		if got := splitPath(tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitPath(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestPage(t *testing.T) {
	t.Parallel()
	items := []string{strings.Repeat("a", 60), strings.Repeat("b", 60), strings.Repeat("c", 60), strings.Repeat("d", 200)}
	lines, next := page([]string{"head"}, items, 0, "98 More", []string{"0 Back"}, 10)
	if next != 2 || len(lines) != 5 || lines[3] != "98 More" {
		t.Errorf("page 1: next %d, lines %q", next, lines)
	}
	// An item longer than a screen still gets a page of its own rather than
	// an endless run of empty pages.
	if _, next := page([]string{"head"}, items, 3, "98 More", []string{"0 Back"}, 10); next != 4 {
		t.Errorf("oversized item: next %d, want 4", next)
	}
	if lines, next := page([]string{"head"}, items[:2], 0, "98 More", []string{"0 Back"}, 0); next != 2 || len(lines) != 4 {
		t.Errorf("all fit: next %d, lines %q", next, lines)
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"Home", 16, "Home"},
		{"Shop on Moi Avenue", 8, "Shop on…"},
		{"Kisumu", 1, "K"},
		{"Kisumu", 0, ""},
		{"Nyumbani ya mama", 16, "Nyumbani ya mama"},
	} {
		if got := clip(tt.in, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
