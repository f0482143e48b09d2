package portal_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/store"
)

// TestPortalLoginAlike: the login forms answer a number nobody registered
// exactly as a customer's, through asking for a code, wrong guesses and the
// code running out: each answer's status, headers (cookies included) and
// page, redirects not followed. Each number is tried on an app of its own,
// so that both are the first visitor from their address. A customer is a
// meter's owner, or an internet subscriber with no meter.
func TestPortalLoginAlike(t *testing.T) {
	customers := []struct {
		name  string
		phone func(t *testing.T, a *apptest.App) string
	}{
		{"meter", func(*testing.T, *apptest.App) string { return app.DemoCustomers[2].Phone }},
		{"internet", func(t *testing.T, a *apptest.App) string { netSubscriber(t, a); return netOnly }},
	}
	for _, c := range customers {
		t.Run(c.name, func(t *testing.T) { loginAlike(t, c.phone) })
	}
}

func loginAlike(t *testing.T, known func(t *testing.T, a *apptest.App) string) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		visitors := [2]*visitor{}
		for i := range visitors {
			visitors[i] = newVisitor(t, apptest.Start(t, apptest.Options{Dialect: d}))
			visitors[i].http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		}
		customer, stranger := known(t, visitors[0].a), "254799000111"
		// answer takes one step for both numbers.
		answer := func(step func(v *visitor, msisdn string) page) [2]string {
			var out [2]string
			for i, msisdn := range []string{customer, stranger} {
				p := step(visitors[i], msisdn)
				p.header.Del("Date")
				var b strings.Builder
				fmt.Fprintf(&b, "%d\n", p.status)
				p.header.Write(&b)
				b.WriteString(p.body)
				local := "0" + msisdn[3:]
				out[i] = strings.NewReplacer(msisdn, "N", local[:4]+" "+local[4:7]+" "+local[7:], "N").Replace(b.String())
			}
			return out
		}

		answers := [][2]string{
			answer(func(v *visitor, msisdn string) page {
				return v.post("/login", url.Values{"phone": {"+" + msisdn}, "next": {"/meters"}})
			}),
			answer(func(v *visitor, _ string) page { return v.get("/login/code?next=%2Fmeters") }),
		}
		// The guesses are wrong for the code the customer was sent.
		code := lastCode(t, visitors[0].a, customer, map[string]bool{})
		var guesses []string
		for i := 0; len(guesses) < 6; i++ {
			if g := fmt.Sprintf("%06d", i); g != code {
				guesses = append(guesses, g)
			}
		}
		for _, g := range append(guesses, "12") {
			answers = append(answers, answer(func(v *visitor, _ string) page {
				return v.post("/login/code", url.Values{"code": {g}, "next": {"/meters"}})
			}))
		}
		for i, a := range answers {
			if a[0] != a[1] {
				t.Errorf("step %d: the customer's number got\n%s\nand a stranger's\n%s", i+1, a[0], a[1])
			}
		}
		// The sequence reached the end it is about.
		if spent := answers[len(answers)-2][0]; !strings.HasPrefix(spent, "400") || !strings.Contains(spent, "Too many wrong tries") {
			t.Errorf("the sixth wrong guess got\n%s\nwant 400, too many wrong tries", spent)
		}
	})
}

// TestPortalCodeLimit: the limit on codes typed from one address is kept
// in the database, so codes another node already counted to it are refused
// here too: a 429 page that says how long to wait, and Retry-After.
func TestPortalCodeLimit(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		ali := app.DemoCustomers[2].Phone
		v := newVisitor(t, a)
		v.post("/login", url.Values{"phone": {ali}})
		code := lastCode(t, a, ali, map[string]bool{})
		other := &login.Service{DB: a.DB}
		for i := range login.DefaultLimits.VerifyPerHour {
			// This test's requests come from 127.0.0.1.
			if _, _, err := other.Verify(context.Background(), "254799000111", "000000", login.KindWeb, "127.0.0.1"); !errors.Is(err, login.ErrBadCode) {
				t.Fatalf("guess %d on the other node: %v; want ErrBadCode", i+1, err)
			}
		}
		p := v.post("/login/code", url.Values{"code": {code}})
		if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" || !strings.Contains(p.body, "try again in") {
			t.Errorf("the right code from an address at its limit: %d, Retry-After %q; want 429 with a wait", p.status, p.header.Get("Retry-After"))
		}
	})
}
