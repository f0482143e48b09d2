package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/console"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// browser is a staff member's browser: a cookie jar that does not follow
// redirects, so each answer can be checked.
type browser struct {
	t    *testing.T
	a    *apptest.App
	http *http.Client
}

func newBrowser(t *testing.T, a *apptest.App) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, a: a, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values, header http.Header) (int, http.Header, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.a.URL()+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return b.send(req)
}

// send sends a request and reads the answer whole.
func (b *browser) send(req *http.Request) (int, http.Header, string) {
	b.t.Helper()
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(out)
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	status, _, body := b.do("GET", path, nil, nil)
	return status, body
}

func (b *browser) post(path string, form url.Values) (int, http.Header, string) {
	b.t.Helper()
	return b.do("POST", path, form, nil)
}

var secretRE = regexp.MustCompile(`<span class="tok">([A-Z2-7]+)</span>`)

// staffMember makes an account of role through its set-up link in the
// console, as its owner would, and returns a browser signed in as them.
func staffMember(t *testing.T, a *apptest.App, username, role string) *browser {
	t.Helper()
	_, link, err := a.Staff.CreateUser(t.Context(), username, "Test "+role, role, "test")
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, a)
	status, page := b.get("/staff/setup/" + link)
	m := secretRE.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil || !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Fatalf("set-up page: %d\n%s", status, page)
	}
	secret := m[1]
	now := time.Now()
	code, _ := totp.GenerateCode(secret, now)
	status, _, page = b.post("/staff/setup/"+link, url.Values{"password": {"a long enough passphrase"}, "password2": {"a long enough passphrase"}, "code": {code}})
	if status != http.StatusOK || strings.Count(page, "<li>") < 10 {
		t.Fatalf("finish set-up: %d\n%s", status, page)
	}
	// A code is good once: sign in with the next step's.
	code, _ = totp.GenerateCode(secret, now.Add(30*time.Second))
	status, h, page := b.post("/staff/signin", url.Values{"username": {username}, "password": {"a long enough passphrase"}, "code": {code}, "next": {"/staff/"}})
	home := "/staff/"
	if role == staff.RoleHub {
		home = "/staff/hub" // an attendant's console is their hub's screen
	}
	if status != http.StatusSeeOther || h.Get("Location") != home {
		t.Fatalf("sign in as %s: %d %v\n%s", username, status, h, page)
	}
	return b
}

// fill puts test values into a route pattern's wildcards.
func fill(pattern string) string {
	r := strings.NewReplacer("{$}", "", "{drn}", app.DemoCustomers[0].Meter, "{id}", "00000000-0000-0000-0000-000000000000",
		"{receipt}", "SKL51ZDR4F", "{plan}", "no-plan", "{token}", "mtu_nothing", "{ref}", "FLT-1", "{day}", "2026-12-01", "{name}", "none")
	return r.Replace(pattern)
}

// Every route of the console, for every role, both ways: a role the table
// allows gets past the gate (whatever the page then says of made-up ids),
// any other gets 403; signed out, every route but the open ones sends to
// the sign-in page.
func TestRoleTable(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	h := &console.Handler{Staff: a.Staff, Services: console.Services{ISP: a.ISP}}
	browsers := map[string]*browser{}
	for _, role := range staff.UserRoles {
		browsers[role] = staffMember(t, a, "user-"+role, role)
	}
	anon := newBrowser(t, a)
	for _, r := range h.Table() {
		if r.Open {
			continue
		}
		path := fill(r.Pattern)
		var form url.Values
		if r.Method == "POST" {
			form = url.Values{}
		}
		if status, hd, _ := anon.do(r.Method, path, form, nil); status != http.StatusSeeOther || !strings.HasPrefix(hd.Get("Location"), "/staff/signin") {
			t.Errorf("%s %s signed out: %d %s, want sent to sign in", r.Method, r.Pattern, status, hd.Get("Location"))
		}
		for role, b := range browsers {
			status, hd, _ := b.do(r.Method, path, form, nil)
			allowed := console.Allows(r.Roles, role)
			switch {
			case allowed && (status == http.StatusForbidden || status == http.StatusSeeOther && strings.HasPrefix(hd.Get("Location"), "/staff/signin")):
				t.Errorf("%s %s as %s: %d, want allowed", r.Method, r.Pattern, role, status)
			case !allowed && status != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d, want 403", r.Method, r.Pattern, role, status)
			case status == http.StatusInternalServerError:
				t.Errorf("%s %s as %s: 500", r.Method, r.Pattern, role)
			}
		}
	}
}

// Sessions: a __Host- cookie under https only (tested behind a proxy
// elsewhere), HTTP-only and SameSite=Strict here; signing out ends the
// session on the server, not just in the browser; a cross-site post is
// refused.
func TestSessions(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		b := staffMember(t, a, "carol", staff.RoleCare)
		u, _ := url.Parse(a.URL())
		var token string
		for _, c := range b.http.Jar.Cookies(u) {
			if c.Name == "mteja_staff" {
				token = c.Value
			}
		}
		if token == "" {
			t.Fatal("no session cookie")
		}
		if status, _ := b.get("/staff/"); status != http.StatusOK {
			t.Fatalf("home: %d", status)
		}
		evil := http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
		if status, _, _ := b.do("POST", "/staff/signout", url.Values{}, evil); status != http.StatusForbidden {
			t.Errorf("a cross-site post: %d, want 403", status)
		}
		if status, hd, _ := b.post("/staff/signout", url.Values{}); status != http.StatusSeeOther || !strings.Contains(hd.Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("sign out: %d %v", status, hd)
		}
		// The old token, replayed, is no longer a session.
		replay := newBrowser(t, a)
		replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: "mteja_staff", Value: token, Path: "/"}})
		if status, _ := replay.get("/staff/"); status != http.StatusSeeOther {
			t.Errorf("a signed-out token: %d, want sent to sign in", status)
		}
		// Sign-in answers alike for a wrong password and an unknown user.
		wrong := func(user string) string {
			_, _, page := newBrowser(t, a).post("/staff/signin", url.Values{"username": {user}, "password": {"a long enough passphrase x"}, "code": {"123456"}})
			return strings.ReplaceAll(page, user, "USER")
		}
		if wrong("carol") != wrong("nobody") {
			t.Errorf("sign-in tells a wrong password from an unknown user")
		}
	})
}

// README.md's "Staff console" table is the route table, so that what the
// README promises each role is what the console does.
func TestReadmeTable(t *testing.T) {
	h := &console.Handler{}
	want := [][]string{append([]string{"route"}, staff.UserRoles...)}
	for _, r := range h.Table() {
		if r.Open {
			continue
		}
		row := []string{r.Method + " " + r.Pattern}
		for _, role := range staff.UserRoles {
			cell := "no"
			if console.Allows(r.Roles, role) {
				cell = "yes"
			}
			row = append(row, cell)
		}
		want = append(want, row)
	}
	got := apptest.ReadmeTable(t, "Staff console")
	if !slices.EqualFunc(got, want, slices.Equal) {
		var b strings.Builder
		for i, row := range want {
			b.WriteString("| `" + row[0] + "` | " + strings.Join(row[1:], " | ") + " |\n")
			if i == 0 {
				b.WriteString("| --- |" + strings.Repeat(" --- |", len(row)-1) + "\n")
			}
		}
		t.Errorf("README.md's Staff console table differs from the routes; it should read:\n%s", strings.ReplaceAll(b.String(), "| `route` |", "| route |"))
	}
}
