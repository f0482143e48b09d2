package console

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/mteja/mteja/internal/staff"
)

func TestLanguagesHaveTheSameKeys(t *testing.T) {
	verbs := regexp.MustCompile(`%[sdq]`)
	for key, en := range english {
		sw, ok := swahili[key]
		if !ok || sw == "" {
			t.Errorf("Swahili lacks %q", key)
		}
		if a, b := len(verbs.FindAllString(en, -1)), len(verbs.FindAllString(sw, -1)); a != b {
			t.Errorf("%q: English has %d verbs, Swahili %d", key, a, b)
		}
	}
	for key := range swahili {
		if english[key] == "" {
			t.Errorf("English lacks %q", key)
		}
	}
}

// Every key the templates and handlers name, and every key built from a
// role, exists.
func TestEveryKeyExists(t *testing.T) {
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\.T "([a-z0-9_.]+)"`),
		regexp.MustCompile(`\bt\(v\.lang, "([a-z0-9_.]+)"`),
		regexp.MustCompile(`Key: "([a-z0-9_.]+)"`),
		regexp.MustCompile(`h\.page\(v, "([a-z0-9_.]+)"`),
		regexp.MustCompile(`Menu: "([a-z0-9_.]+)"`),
		regexp.MustCompile(`Why: "([a-z0-9_.]+)"`),
		regexp.MustCompile(`"(search\.by\.[a-z]+)"`),
		regexp.MustCompile(`"(decode\.[a-z.]+)"`),
	}
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	for _, r := range staff.UserRoles {
		used["role."+r] = true
	}
	for _, k := range []string{"payment", "stk", "vend", "message", "web", "app", "ussd", "fault"} {
		used["ev."+k] = true
	}
	for _, f := range append(files, gofiles...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
		}
	}
	for k := range used {
		if english[k] == "" {
			t.Errorf("key %q is used but has no text", k)
		}
	}
}

// The language switch returns to the page it was on, set-up and sign-in
// included, and never off the console.
func TestLanguageBack(t *testing.T) {
	for back, want := range map[string]string{
		"/staff/setup/mtu_abc":              "/staff/setup/mtu_abc",
		"/staff/signin?next=%2Fstaff%2Fops": "/staff/signin?next=%2Fstaff%2Fops",
		"/staff/ops":                        "/staff/ops",
		"https://evil.example/staff/":       "/staff/",
		"//evil.example/staff/":             "/staff/",
		"/staff/setup/x\r\nLocation: /":     "/staff/",
		"":                                  "/staff/",
	} {
		if got := languageBack(back); got != want {
			t.Errorf("languageBack(%q) = %q, want %q", back, got, want)
		}
	}
}
