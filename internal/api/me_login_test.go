package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// TestMeLoginAlike: the app's login answers a number nobody registered
// exactly as a customer's, through asking for a code, wrong guesses and the
// code running out: status, headers and body, step by step. Each number is
// tried on an app of its own, so that both are the first caller from their
// address and the throttles see the same traffic.
func TestMeLoginAlike(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		customer, stranger := app.DemoCustomers[0].Phone, "254799000111"
		ca, sa := apptest.Start(t, apptest.Options{Dialect: d}), apptest.Start(t, apptest.Options{Dialect: d})

		// The guesses are wrong for the code the customer was sent.
		ask := func(a *apptest.App, msisdn string) string {
			return loginAnswer(t, a, msisdn, "/api/v1/login/otp", `{"phone": "+`+msisdn+`"}`)
		}
		asked := [2]string{ask(ca, customer), ask(sa, stranger)}
		code := waitCode(t, ca, customer, map[string]bool{})
		var guesses []string
		for i := 0; len(guesses) < 6; i++ {
			if g := fmt.Sprintf("%06d", i); g != code {
				guesses = append(guesses, g)
			}
		}
		guesses = append(guesses, "12")

		answers := [][2]string{asked}
		for _, g := range guesses {
			var a [2]string
			for i, x := range []struct {
				a      *apptest.App
				msisdn string
			}{{ca, customer}, {sa, stranger}} {
				a[i] = loginAnswer(t, x.a, x.msisdn, "/api/v1/login/verify", `{"phone": "`+x.msisdn+`", "code": "`+g+`"}`)
			}
			answers = append(answers, a)
		}
		for i, a := range answers {
			if a[0] != a[1] {
				t.Errorf("step %d: the customer's number got\n%s\nand a stranger's\n%s", i+1, a[0], a[1])
			}
		}
		// The sequence reached the end it is about.
		if last := answers[len(answers)-2][0]; !strings.HasPrefix(last, "401") || !strings.Contains(last, "too many wrong codes") {
			t.Errorf("the sixth wrong guess got\n%s\nwant 401, too many wrong codes", last)
		}
		// The outbox kept no readable copy of the code it sent.
		apptest.Eventually(t, "the code's SMS to be recorded as sent", func() bool {
			return ca.Count(`SELECT count(*) FROM messages WHERE lane = 'otp' AND state = 'queued'`) == 0
		})
		if n := ca.Count(`SELECT count(*) FROM messages WHERE body LIKE $1 OR last_error LIKE $1`, "%"+code+"%"); n != 0 {
			t.Errorf("%d messages hold the login code after it was sent", n)
		}
	})
}

// loginAnswer posts body to path and returns the whole answer, but for
// its Date, with msisdn in every form written as N.
func loginAnswer(t *testing.T, a *apptest.App, msisdn, path, body string) string {
	t.Helper()
	resp, err := a.HTTP.Post(a.URL()+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Header.Del("Date")
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", resp.StatusCode)
	resp.Header.Write(&b)
	b.Write(reply)
	return strings.NewReplacer(msisdn, "N", phone.Mask(msisdn), "N").Replace(b.String())
}

// TestMeVerifyLimit: the limit on codes typed from one address is kept in
// the database, so codes another node already counted to it are refused
// here too, with 429 and Retry-After as the document says.
func TestMeVerifyLimit(t *testing.T) {
	doc := loadDoc(t)
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := &meClient{t: t, a: a, doc: doc, seen: map[string]bool{}}
		john := app.DemoCustomers[0].Phone
		other := &login.Service{DB: a.DB}
		for i := range login.DefaultLimits.VerifyPerHour {
			// This test's requests come from 127.0.0.1.
			if _, _, err := other.Verify(context.Background(), john, "000000", login.KindApp, "127.0.0.1"); !errors.Is(err, login.ErrBadCode) {
				t.Fatalf("guess %d on the other node: %v; want ErrBadCode", i+1, err)
			}
		}
		c.call("POST", "/api/v1/login/verify", "", map[string]any{"phone": john, "code": "000000"}, 429)
	})
}
