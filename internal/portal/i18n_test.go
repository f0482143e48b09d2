package portal

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/webpage"
)

func TestLanguagesHaveTheSameKeys(t *testing.T) {
	for key := range english {
		if swahili[key] == "" {
			t.Errorf("Swahili lacks %q", key)
		}
	}
	for key := range swahili {
		if english[key] == "" {
			t.Errorf("English lacks %q", key)
		}
	}
	// A phrase with a verb must have it in both languages.
	verbs := regexp.MustCompile(`%[sd]`)
	for key, en := range english {
		if a, b := len(verbs.FindAllString(en, -1)), len(verbs.FindAllString(swahili[key], -1)); a != b {
			t.Errorf("%q: English has %d verbs, Swahili %d", key, a, b)
		}
	}
}

// Every key the templates and handlers name, and every key built from a
// state or kind, exists.
func TestEveryKeyExists(t *testing.T) {
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\.T "([a-z0-9_.]+)"`),           // templates
		regexp.MustCompile(`\bt\(v\.lang, "([a-z0-9_.]+)"`), // handlers
		regexp.MustCompile(`Key: "([a-z0-9_.]+)"`),
		regexp.MustCompile(`v\.page\("([a-z0-9_.]+)"`),
		regexp.MustCompile(`refuse\((?:http\.Status\w+, )?"([a-z0-9_.]+)"`),
		regexp.MustCompile(`return "(token\.[a-z0-9]+)"`),
	}
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	used := map[string]bool{}
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
	if len(used) < 60 {
		t.Fatalf("found only %d keys in use: is the scan broken?", len(used))
	}
	for _, s := range []string{payment.Received, payment.Applied, payment.Suspense, payment.Reversed} {
		used["state."+s] = true
	}
	for _, k := range faultKinds {
		used["fault."+k] = true
	}
	used["fault.open"], used["fault.closed"] = true, true
	for _, s := range []string{isp.Active, isp.Grace, isp.Suspended, isp.Pending, isp.Terminated, ""} {
		used["net.state."+s] = true
	}
	for _, by := range []string{isp.PaidByWallet, isp.PaidByVoucher, isp.PaidFree} {
		used["net.paidby."+by] = true
	}
	var missing []string
	for k := range used {
		if _, ok := english[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("keys used but not translated: %v", missing)
	}
	for _, k := range []string{care.FaultNoPower, care.FaultTokenRejected, care.FaultMeter, care.FaultOther} {
		if !care.ValidFaultKind(k) {
			t.Errorf("fault kind %q offered but not valid", k)
		}
	}
}

func TestChooseLanguage(t *testing.T) {
	tests := []struct {
		cookie, stored, accept, want string
	}{
		{"", "", "", "en"},
		{"", "", "sw-KE,sw;q=0.9,en;q=0.8", "sw"},
		{"", "", "en-GB,sw;q=0.5", "en"},
		{"", "sw", "en", "sw"},
		{"en", "sw", "sw", "en"},
		{"sw", "en", "", "sw"},
		{"fr", "", "fr,sw;q=0.5", "sw"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		if tt.cookie != "" {
			r.Header.Set("Cookie", langCookie+"="+tt.cookie)
		}
		r.Header.Set("Accept-Language", tt.accept)
		if got := chooseLanguage(r, tt.stored); got != tt.want {
			t.Errorf("chooseLanguage(cookie %q, stored %q, accept %q) = %q; want %q", tt.cookie, tt.stored, tt.accept, got, tt.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/meters/54500320905/tokens", "/meters/54500320905/tokens"},
		{"/buy?meter=1", "/buy?meter=1"},
		{"", "/meters"},
		{"https://evil.example/", "/meters"},
		{"//evil.example/x", "/meters"},
		{"/\\evil.example", "/meters"},
		{"/login/code", "/meters"},
		{"/x\r\nSet-Cookie: a=b", "/meters"},
		{"javascript:alert(1)", "/meters"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestShow(t *testing.T) {
	if got := showPhone("254708374149"); got != "0708 374 149" {
		t.Errorf("showPhone = %q", got)
	}
	if got := showPhone("255712345678"); got != "+255712345678" {
		t.Errorf("showPhone (Tanzania) = %q", got)
	}
	if got := showDate(time.Date(2026, 11, 25, 21, 30, 0, 0, time.UTC)); got != "26/11/2026 00:30" {
		t.Errorf("showDate = %q; want Nairobi time", got)
	}
	for _, tt := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 30 * time.Second, "30 seconds"},
		{"sw", 30 * time.Second, "sekunde 30"},
		{"en", 90 * time.Second, "2 minutes"},
		{"sw", time.Hour, "dakika 60"},
	} {
		if got := wait(tt.lang, tt.d); got != tt.want {
			t.Errorf("wait(%s, %s) = %q; want %q", tt.lang, tt.d, got, tt.want)
		}
	}
}

// The layout inlines the CSS and script whose hashes the policy names; a
// changed asset must change the policy with it.
func TestContentSecurityPolicy(t *testing.T) {
	for _, want := range []string{webpage.Hash(string(siteCSS)), webpage.Hash(string(copyJS)), "default-src 'none'", "form-action 'self'", "frame-ancestors 'none'"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(csp) {
			t.Errorf("policy %q lacks %q", csp, want)
		}
	}
}
