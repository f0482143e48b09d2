package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
)

// A form post over 16 KB, well under the server's own bound, gets a 413
// page in the visitor's language and its handler never runs: an oversize
// login sends no code. So does a body that is no form. A post just under
// 16 KB goes through.
func TestFormBodyLimit(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	john := app.DemoCustomers[0]
	queued := func() int { return a.Count(`SELECT count(*) FROM messages WHERE recipient = $1`, john.Phone) }

	for _, tc := range []struct{ lang, say string }{{"en", "too long"}, {"sw", "kirefu mno"}} {
		v := newVisitor(t, a)
		v.header.Set("Accept-Language", tc.lang)
		p := v.post("/login", url.Values{"phone": {john.Phone}, "pad": {strings.Repeat("x", 20<<10)}})
		if p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, tc.say) {
			t.Errorf("20 KB login form (%s): %d at %s; want 413 saying %q:\n%s", tc.lang, p.status, p.url, tc.say, p.body)
		}
		checkPage(t, "too large ("+tc.lang+")", p, tc.lang)
	}
	if n := queued(); n != 0 {
		t.Errorf("%d messages to the phone after oversize login forms, want none", n)
	}

	// A body that is no form at all is refused too, not read as blanks.
	resp, err := a.HTTP.Post(a.URL()+"/login", "application/x-www-form-urlencoded", strings.NewReader("phone=%zz"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a malformed login form: %d, want 400", resp.StatusCode)
	}
	if n := queued(); n != 0 {
		t.Errorf("%d messages to the phone after refused login forms, want none", n)
	}

	p := newVisitor(t, a).post("/login", url.Values{"phone": {john.Phone}, "pad": {strings.Repeat("x", 15<<10)}})
	if p.status != http.StatusOK || !strings.HasPrefix(p.url, "/login/code") {
		t.Errorf("15 KB login form: %d at %s; want the code form", p.status, p.url)
	}
	if n := queued(); n != 1 {
		t.Errorf("%d messages to the phone after a login form under the limit, want the code", n)
	}
}
