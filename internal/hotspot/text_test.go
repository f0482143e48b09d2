package hotspot

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestTexts: both languages have every key, with the same verbs, and
// every key the templates and handlers name exists.
func TestTexts(t *testing.T) {
	verbs := regexp.MustCompile(`%[sd]`)
	for key, en := range english {
		sw, ok := swahili[key]
		if !ok {
			t.Errorf("Swahili lacks %q", key)
		}
		if a, b := len(verbs.FindAllString(en, -1)), len(verbs.FindAllString(sw, -1)); a != b {
			t.Errorf("%q: English has %d verbs, Swahili %d", key, a, b)
		}
	}
	for key := range swahili {
		if _, ok := english[key]; !ok {
			t.Errorf("English lacks %q", key)
		}
	}
	used := regexp.MustCompile(`(?:\.T|t\(v\.lang,|h\.page\(v,|Key:|, d,) "([a-z.]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	n := 0
	for _, f := range append(files, gofiles...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			n++
			if _, ok := english[m[1]]; !ok {
				t.Errorf("%s names %q, which has no text", f, m[1])
			}
		}
	}
	if n < 30 {
		t.Errorf("found only %d keys in use: is the scan broken?", n)
	}
}
