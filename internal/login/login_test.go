package login_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

type testBundle struct {
	db    *store.DB
	svc   *login.Service
	clock *time.Time
	woken int
}

// setup returns a service on a fresh database with two customers: an
// English speaker and a Swahili speaker, and a clock the test moves.
func setup(t *testing.T, db *store.DB) *testBundle {
	t.Helper()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	b := &testBundle{db: db, clock: &now}
	db.Now = func() time.Time { return *b.clock }
	b.svc = &login.Service{DB: db, Utility: "Mteja Power", OnMessages: func() { b.woken++ }}
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		for _, c := range []customer.Customer{
			{Name: "John Kamau", Language: "en", Phones: []string{"254708374149"}},
			{Name: "Mary Wanjiku", Language: "sw", Phones: []string{"254712345678"}},
		} {
			if err := customer.Create(tx, &c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *testBundle) advance(d time.Duration) { *b.clock = b.clock.Add(d) }

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// lastCode reads the newest login code sent to msisdn from the outbox, as
// the SMS would carry it.
func (b *testBundle) lastCode(t *testing.T, msisdn string) (code string, msg notify.Message) {
	t.Helper()
	msgs, err := notify.ForRecipient(context.Background(), b.db, msisdn, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 || msgs[0].Template != "otp" {
		t.Fatalf("no login code SMS to %s (messages %+v)", msisdn, msgs)
	}
	code = codeRE.FindString(msgs[0].Body)
	if code == "" {
		t.Fatalf("no code in %q", msgs[0].Body)
	}
	return code, msgs[0]
}

func countMessages(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRow(`SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRequestCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)

		got, err := b.svc.RequestCode(ctx, "0708 374 149", "10.0.0.1")
		if err != nil || got != "254708374149" {
			t.Fatalf("RequestCode = %q, %v", got, err)
		}
		code, msg := b.lastCode(t, "254708374149")
		if msg.Lane != notify.LaneOTP || msg.Language != "en" || !strings.Contains(msg.Body, "Mteja Power") {
			t.Errorf("message = %+v; want the English otp template in the otp lane", msg)
		}
		if b.woken != 1 {
			t.Errorf("delivery woken %d times; want 1", b.woken)
		}
		var stored string
		db.Read().QueryRow(`SELECT code_hash FROM login_codes`).Scan(&stored)
		if stored == "" || strings.Contains(stored, code) {
			t.Errorf("stored code %q; want a hash that does not contain %s", stored, code)
		}

		// The Swahili speaker gets the Swahili text.
		if _, err := b.svc.RequestCode(ctx, "+254712345678", "10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		if _, msg := b.lastCode(t, "254712345678"); msg.Language != "sw" || !strings.Contains(msg.Body, "Nambari yako") {
			t.Errorf("Swahili speaker got %q (%s)", msg.Body, msg.Language)
		}

		// A number nobody registered gets the same answer and no SMS.
		before := countMessages(t, db)
		if got, err := b.svc.RequestCode(ctx, "0799000111", "10.0.0.3"); err != nil || got != "254799000111" {
			t.Fatalf("unregistered: %q, %v", got, err)
		}
		if n := countMessages(t, db); n != before {
			t.Errorf("%d messages after a request for an unregistered number; want %d", n, before)
		}

		if _, err := b.svc.RequestCode(ctx, "07x", "10.0.0.1"); !errors.Is(err, login.ErrBadPhone) {
			t.Errorf("bad phone: %v; want ErrBadPhone", err)
		}
	})
}

func TestRequestCodeLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		const john = "254708374149"
		ask := func(ip string) error {
			_, err := b.svc.RequestCode(ctx, john, ip)
			return err
		}
		if err := ask("10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		// Too soon after the last code.
		var rl *login.RateLimitError
		if err := ask("10.0.0.1"); !errors.As(err, &rl) || rl.What != "phone" || rl.RetryAfter != 30*time.Second {
			t.Fatalf("second request at once: %v; want a phone limit, retry after 30s", err)
		}
		// Spaced out, four more in the hour, then the hourly limit.
		for i := 0; i < 4; i++ {
			b.advance(31 * time.Second)
			if err := ask("10.0.0.1"); err != nil {
				t.Fatalf("request %d: %v", i+2, err)
			}
		}
		b.advance(31 * time.Second)
		if err := ask("10.0.0.1"); !errors.As(err, &rl) || rl.What != "phone" {
			t.Fatalf("sixth request in an hour: %v; want a phone limit", err)
		}
		// An hour after the first, one more is allowed.
		b.advance(time.Hour - 5*31*time.Second)
		if err := ask("10.0.0.1"); err != nil {
			t.Fatalf("after the hour: %v", err)
		}

		// One address asking for many numbers.
		b.svc.Limits = login.Limits{IPPerHour: 3}
		for i := range 3 {
			if _, err := b.svc.RequestCode(ctx, "0799000"+string(rune('0'+i))+"00", "10.9.9.9"); err != nil {
				t.Fatalf("address request %d: %v", i, err)
			}
		}
		if _, err := b.svc.RequestCode(ctx, "0799000900", "10.9.9.9"); !errors.As(err, &rl) || rl.What != "address" {
			t.Fatalf("fourth request from one address: %v; want an address limit", err)
		}
	})
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name string
		// act gets the bundle, the phone and its right code, and returns
		// Verify's error.
		act     func(t *testing.T, b *testBundle, msisdn, code string) error
		wantErr error
	}{
		{"right code", func(t *testing.T, b *testBundle, msisdn, code string) error {
			return verify(b, msisdn, code)
		}, nil},
		{"spaces in the code", func(t *testing.T, b *testBundle, msisdn, code string) error {
			return verify(b, msisdn, code[:3]+" "+code[3:])
		}, nil},
		{"wrong code", func(t *testing.T, b *testBundle, msisdn, code string) error {
			return verify(b, msisdn, wrong(code))
		}, login.ErrBadCode},
		{"not six digits", func(t *testing.T, b *testBundle, msisdn, code string) error {
			return verify(b, msisdn, "12345")
		}, login.ErrBadCode},
		{"another phone's code", func(t *testing.T, b *testBundle, msisdn, code string) error {
			return verify(b, "254708374149", code)
		}, login.ErrBadCode},
		{"expired", func(t *testing.T, b *testBundle, msisdn, code string) error {
			b.advance(5*time.Minute + time.Second)
			return verify(b, msisdn, code)
		}, login.ErrBadCode},
		{"just before expiry", func(t *testing.T, b *testBundle, msisdn, code string) error {
			b.advance(5*time.Minute - time.Second)
			return verify(b, msisdn, code)
		}, nil},
		{"used twice", func(t *testing.T, b *testBundle, msisdn, code string) error {
			if err := verify(b, msisdn, code); err != nil {
				t.Fatal(err)
			}
			return verify(b, msisdn, code)
		}, login.ErrBadCode},
		{"right after four wrong", func(t *testing.T, b *testBundle, msisdn, code string) error {
			for range 4 {
				verify(b, msisdn, wrong(code))
			}
			return verify(b, msisdn, code)
		}, nil},
		{"right after five wrong", func(t *testing.T, b *testBundle, msisdn, code string) error {
			for range 5 {
				verify(b, msisdn, wrong(code))
			}
			return verify(b, msisdn, code)
		}, login.ErrCodeSpent},
		{"the older of two codes", func(t *testing.T, b *testBundle, msisdn, code string) error {
			b.advance(31 * time.Second)
			if _, err := b.svc.RequestCode(context.Background(), msisdn, ""); err != nil {
				t.Fatal(err)
			}
			return verify(b, msisdn, code)
		}, nil},
		{"the older code after the newer was used", func(t *testing.T, b *testBundle, msisdn, code string) error {
			b.advance(31 * time.Second)
			if _, err := b.svc.RequestCode(context.Background(), msisdn, ""); err != nil {
				t.Fatal(err)
			}
			newer, _ := b.lastCode(t, msisdn)
			if err := verify(b, msisdn, newer); err != nil {
				t.Fatal(err)
			}
			return verify(b, msisdn, code)
		}, login.ErrBadCode},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Each case has its own customer, so the cases share one
				// database and its migrations.
				msisdn := fmt.Sprintf("2547100000%02d", i)
				err := db.InTx(context.Background(), func(tx *store.Tx) error {
					return customer.Create(tx, &customer.Customer{Name: "Case", Phones: []string{msisdn}})
				})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := b.svc.RequestCode(context.Background(), msisdn, ""); err != nil {
					t.Fatal(err)
				}
				code, _ := b.lastCode(t, msisdn)
				err = tt.act(t, b, msisdn, code)
				if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("Verify: %v; want %v", err, tt.wantErr)
				}
			})
		}
	})
}

func verify(b *testBundle, msisdn, code string) error {
	_, _, err := b.svc.Verify(context.Background(), msisdn, code, login.KindWeb, "")
	return err
}

// wrong returns a different six-digit code.
func wrong(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.svc.Limits.SessionTTL = 24 * time.Hour
		if _, err := b.svc.RequestCode(ctx, "254712345678", ""); err != nil {
			t.Fatal(err)
		}
		code, _ := b.lastCode(t, "254712345678")
		if _, _, err := b.svc.Verify(ctx, "254712345678", code, "desktop", ""); err == nil {
			t.Fatal("Verify took session kind desktop")
		}
		sess, token, err := b.svc.Verify(ctx, "254712345678", code, login.KindApp, "")
		if err != nil {
			t.Fatal(err)
		}
		if sess.MSISDN != "254712345678" || sess.Kind != login.KindApp || !sess.ExpiresAt.Equal(b.clock.Add(24*time.Hour)) {
			t.Errorf("session = %+v", sess)
		}
		var n int
		db.Read().QueryRow(`SELECT count(*) FROM login_sessions WHERE token_hash = $1`, token).Scan(&n)
		if n != 0 {
			t.Error("the token is stored as it is; want only its hash")
		}
		got, err := b.svc.Authenticate(ctx, token)
		if err != nil || got.ID != sess.ID || got.MSISDN != sess.MSISDN {
			t.Fatalf("Authenticate = %+v, %v; want %+v", got, err, sess)
		}
		for _, bad := range []string{"", "mts_nope", "not-a-token", token + "x"} {
			if _, err := b.svc.Authenticate(ctx, bad); !errors.Is(err, login.ErrUnauthorized) {
				t.Errorf("Authenticate(%q) = %v; want ErrUnauthorized", bad, err)
			}
		}
		b.advance(24*time.Hour + time.Second)
		if _, err := b.svc.Authenticate(ctx, token); !errors.Is(err, login.ErrUnauthorized) {
			t.Errorf("expired session: %v; want ErrUnauthorized", err)
		}

		// Logout ends a live session.
		b.advance(time.Hour)
		b.svc.RequestCode(ctx, "254712345678", "")
		code, _ = b.lastCode(t, "254712345678")
		_, token, err = b.svc.Verify(ctx, "254712345678", code, login.KindWeb, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.svc.Logout(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Authenticate(ctx, token); !errors.Is(err, login.ErrUnauthorized) {
			t.Errorf("after logout: %v; want ErrUnauthorized", err)
		}
	})
}

// TestAnswersAlike: a stranger cannot tell a customer's number from one
// nobody registered. Each step of asking for codes and guessing them is
// taken for both numbers in turn, and each answer (the value and the error,
// its type and its text, with the number itself blanked) must be the same.
func TestAnswersAlike(t *testing.T) {
	const customer, stranger = "254708374149", "254799000111"
	type step struct {
		name string
		// act takes the step for msisdn; guess is a code that is wrong
		// for every code the customer was sent.
		act     func(b *testBundle, msisdn, guess string) (string, error)
		wantErr error // for the customer; nil means none
	}
	request := func(b *testBundle, msisdn, _ string) (string, error) {
		return b.svc.RequestCode(context.Background(), msisdn, "10.0.0.1")
	}
	guess := func(b *testBundle, msisdn, guess string) (string, error) {
		sess, token, err := b.svc.Verify(context.Background(), msisdn, guess, login.KindWeb, "10.0.0.1")
		return sess.ID + token, err
	}
	steps := []step{
		{"ask", request, nil},
		{"ask again at once", request, &login.RateLimitError{}},
		{"wrong code 1", guess, login.ErrBadCode},
		{"wrong code 2", guess, login.ErrBadCode},
		{"wrong code 3", guess, login.ErrBadCode},
		{"wrong code 4", guess, login.ErrBadCode},
		{"wrong code 5", guess, login.ErrBadCode},
		{"code spent", guess, login.ErrCodeSpent},
		{"not six digits", func(b *testBundle, msisdn, _ string) (string, error) { return guess(b, msisdn, "12") }, login.ErrBadCode},
		{"ask after the gap", func(b *testBundle, msisdn, g string) (string, error) {
			if msisdn == customer {
				b.advance(31 * time.Second) // once for both
			}
			return request(b, msisdn, g)
		}, nil},
		{"wrong new code", guess, login.ErrBadCode},
		{"expired", func(b *testBundle, msisdn, g string) (string, error) {
			if msisdn == customer {
				b.advance(5*time.Minute + time.Second)
			}
			return guess(b, msisdn, g)
		}, login.ErrBadCode},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		sent := map[string]bool{} // codes texted to the customer
		for _, s := range steps {
			g := ""
			for i := 0; g == "" || sent[g]; i++ {
				g = fmt.Sprintf("%06d", i)
			}
			var answers [2]string
			for i, msisdn := range []string{customer, stranger} {
				got, err := s.act(b, msisdn, g)
				if i == 0 {
					if !isErr(err, s.wantErr) {
						t.Fatalf("%s: customer got %v; want %v", s.name, err, s.wantErr)
					}
					if msgs, _ := notify.ForRecipient(context.Background(), db, customer, 1); len(msgs) > 0 {
						sent[codeRE.FindString(msgs[0].Body)] = true
					}
				}
				a := fmt.Sprintf("%q %T %v", got, err, err)
				answers[i] = strings.NewReplacer(msisdn, "N", phone.Mask(msisdn), "M").Replace(a)
			}
			if answers[0] != answers[1] {
				t.Errorf("%s: the customer's number got\n\t%s\nand a stranger's\n\t%s", s.name, answers[0], answers[1])
			}
		}
	})
}

// isErr reports whether err is want: nil for nil, any *RateLimitError for
// a *RateLimitError, else by errors.Is.
func isErr(err, want error) bool {
	var rl *login.RateLimitError
	switch {
	case want == nil:
		return err == nil
	case errors.As(want, &rl):
		return errors.As(err, &rl)
	}
	return errors.Is(err, want)
}

// TestLimitsAcrossNodes: the limits that stop guessing are counted in the
// database, so they hold across nodes sharing it and across restarts. Two
// services, each on its own connection to one database, take turns.
func TestLimitsAcrossNodes(t *testing.T) {
	const john, guesser = "254708374149", "10.0.0.9"
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			var b *testBundle
			// node opens a connection of its own, as another node (or
			// this one restarted) would, on the shared clock.
			node := func() *login.Service {
				db := storetest.OpenDSN(t, dsn)
				if b == nil {
					b = setup(t, db)
				}
				db.Now = func() time.Time { return *b.clock }
				return &login.Service{DB: db, Limits: login.Limits{VerifyPerHour: 4}}
			}
			a, c := node(), node()

			if _, err := a.RequestCode(ctx, john, "10.0.0.1"); err != nil {
				t.Fatal(err)
			}
			var rl *login.RateLimitError
			if _, err := c.RequestCode(ctx, john, "10.0.0.2"); !errors.As(err, &rl) || rl.What != "phone" {
				t.Fatalf("a second code at once on another node: %v; want a phone limit", err)
			}
			code, _ := b.lastCode(t, john)

			// Four wrong guesses from one address, two on each node, then
			// the address is refused on either, even the right code.
			for i, n := range []*login.Service{a, c, a, c} {
				if _, _, err := n.Verify(ctx, john, wrong(code), login.KindWeb, guesser); !errors.Is(err, login.ErrBadCode) {
					t.Fatalf("guess %d: %v; want ErrBadCode", i+1, err)
				}
			}
			for name, n := range map[string]*login.Service{"a": a, "c": c, "restarted": node()} {
				if _, _, err := n.Verify(ctx, john, code, login.KindWeb, guesser); !errors.As(err, &rl) || rl.What != "address" || rl.RetryAfter != time.Hour {
					t.Errorf("fifth code from one address, on node %s: %v; want an address limit for an hour", name, err)
				}
			}
			// The limit is the address's: the customer, elsewhere, gets in
			// with the code, which took four wrong guesses of its five.
			if _, _, err := c.Verify(ctx, john, code, login.KindWeb, "10.0.0.1"); err != nil {
				t.Fatalf("the right code from another address: %v", err)
			}
			b.advance(time.Hour)
			if _, _, err := a.Verify(ctx, john, wrong(code), login.KindWeb, guesser); !errors.Is(err, login.ErrBadCode) {
				t.Errorf("an hour later: %v; want the address let through (ErrBadCode)", err)
			}
		})
	}
}
