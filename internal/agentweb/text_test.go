package agentweb

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestTexts: both languages have the same keys, no Swahili phrase is left
// in English by mistake, and every key the templates use exists.
func TestTexts(t *testing.T) {
	for k, en := range english {
		sw, ok := swahili[k]
		if !ok {
			t.Errorf("%s: no Swahili", k)
		}
		if sw == en && k != "float" && k != "signin.pin" {
			t.Errorf("%s: Swahili is the English %q", k, en)
		}
	}
	for k := range swahili {
		if _, ok := english[k]; !ok {
			t.Errorf("%s: no English", k)
		}
	}
	used := regexp.MustCompile(`\.T "([a-z_.]+)"`)
	names, _ := fs.Glob(files, "templates/*.html")
	for _, n := range names {
		b, _ := fs.ReadFile(files, n)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := english[m[1]]; !ok {
				t.Errorf("%s uses %q, which has no text", n, m[1])
			}
		}
	}
}
