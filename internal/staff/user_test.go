package staff_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func service(t *testing.T, db *store.DB, key string) (*staff.Service, *clock) {
	t.Helper()
	c := &clock{now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	s, err := staff.NewService(db, "Mteja Power", []byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrol makes a user and completes its set-up; it returns the TOTP seed
// and the recovery codes.
func enrol(t *testing.T, s *staff.Service, c *clock, username, role string) (staff.User, string, []string) {
	t.Helper()
	ctx := context.Background()
	u, link, err := s.CreateUser(ctx, username, "Jane Wanjiru", role, "cli:root")
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.BeginSetup(ctx, link)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.QRPNG) < 100 || !strings.HasPrefix(e.URL, "otpauth://totp/Mteja%20Power:"+username) {
		t.Errorf("enrolment: QR %d bytes, URL %q", len(e.QRPNG), e.URL)
	}
	again, err := s.BeginSetup(ctx, link)
	if err != nil || again.Secret != e.Secret {
		t.Errorf("the seed changed on reload: %v", err)
	}
	codes, err := s.CompleteSetup(ctx, link, "correct horse battery staple", code(t, e.Secret, c.now))
	if err != nil || len(codes) != 10 {
		t.Fatalf("complete set-up: %d codes, %v", len(codes), err)
	}
	if _, err := s.BeginSetup(ctx, link); !errors.Is(err, staff.ErrSetupLink) {
		t.Errorf("a used set-up link: %v", err)
	}
	return u, e.Secret, codes
}

func TestSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c := service(t, db, "seal-key-0123456789abcdef")
		u, secret, recovery := enrol(t, s, c, "jwanjiru", staff.RoleCare)

		c.now = c.now.Add(2 * time.Minute)
		sess, token, err := s.SignIn(ctx, "JWanjiru", "correct horse battery staple", code(t, secret, c.now), "10.0.0.1")
		if err != nil || sess.User.ID != u.ID || sess.User.Role != staff.RoleCare {
			t.Fatalf("sign in: %+v, %v", sess, err)
		}
		if got, err := s.Authenticate(ctx, token); err != nil || got.ID != sess.ID {
			t.Errorf("authenticate: %+v, %v", got, err)
		}
		// The same code again (seen over a shoulder): refused.
		if _, _, err := s.SignIn(ctx, "jwanjiru", "correct horse battery staple", code(t, secret, c.now), "10.0.0.1"); !errors.Is(err, staff.ErrSignIn) {
			t.Errorf("a code used twice: %v", err)
		}
		// A phone 30 s behind or ahead still works; 90 s off does not.
		for _, tc := range []struct {
			skew time.Duration
			ok   bool
		}{{-90 * time.Second, false}, {90 * time.Second, false}, {-30 * time.Second, true}, {30 * time.Second, true}} {
			c.now = c.now.Add(5 * time.Minute)
			_, _, err := s.SignIn(ctx, "jwanjiru", "correct horse battery staple", code(t, secret, c.now.Add(tc.skew)), "10.0.0.2")
			if (err == nil) != tc.ok {
				t.Errorf("clock %v off: %v, want ok=%v", tc.skew, err, tc.ok)
			}
		}
		// Wrong password, unknown user, missing code: the same answer.
		for _, tc := range [][3]string{
			{"jwanjiru", "wrong horse battery staple", code(t, secret, c.now)},
			{"nobody", "correct horse battery staple", code(t, secret, c.now)},
			{"jwanjiru", "correct horse battery staple", ""},
			{"jwanjiru", "correct horse battery staple", "000000"},
		} {
			if _, _, err := s.SignIn(ctx, tc[0], tc[1], tc[2], "10.0.0.3"); !errors.Is(err, staff.ErrSignIn) || err.Error() != staff.ErrSignIn.Error() {
				t.Errorf("sign in %v: %v", tc, err)
			}
		}
		// A recovery code works once.
		c.now = c.now.Add(time.Hour)
		if _, _, err := s.SignIn(ctx, "jwanjiru", "correct horse battery staple", strings.ToUpper(recovery[3]), "10.0.0.4"); err != nil {
			t.Errorf("recovery code: %v", err)
		}
		if _, _, err := s.SignIn(ctx, "jwanjiru", "correct horse battery staple", recovery[3], "10.0.0.4"); !errors.Is(err, staff.ErrSignIn) {
			t.Errorf("a recovery code used twice: %v", err)
		}
		// Idle for more than an hour: signed out.
		c.now = c.now.Add(2 * time.Hour)
		if _, err := s.Authenticate(ctx, token); !errors.Is(err, staff.ErrSignedOut) {
			t.Errorf("an idle session: %v", err)
		}
	})
}

// Ten tries per username in a quarter of an hour, counted in the database
// (so on every node), right or wrong.
func TestSignInLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c := service(t, db, "seal-key-0123456789abcdef")
		_, secret, _ := enrol(t, s, c, "finance1", staff.RoleFinance)
		for i := range staff.SignInPerUser.Max {
			_, _, err := s.SignIn(ctx, "finance1", "guess number "+string(rune('a'+i)), "123456", "10.0.1.1")
			if !errors.Is(err, staff.ErrSignIn) {
				t.Fatalf("guess %d: %v", i+1, err)
			}
		}
		var ex *quota.Exceeded
		c.now = c.now.Add(time.Minute)
		if _, _, err := s.SignIn(ctx, "finance1", "correct horse battery staple", code(t, secret, c.now), "10.0.1.2"); !errors.As(err, &ex) {
			t.Errorf("after %d guesses the right password: %v, want the limit", staff.SignInPerUser.Max, err)
		}
		c.now = c.now.Add(16 * time.Minute)
		if _, _, err := s.SignIn(ctx, "finance1", "correct horse battery staple", code(t, secret, c.now), "10.0.1.2"); err != nil {
			t.Errorf("after the window: %v", err)
		}
	})
}

// Set-up: a weak password or a wrong code is refused and the link still
// works; a link dies after a day; disabling and resetting end sessions; a
// role change ends them too.
func TestAccountLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c := service(t, db, "seal-key-0123456789abcdef")
		if _, _, err := s.CreateUser(ctx, "X", "", staff.RoleCare, "cli:root"); !errors.Is(err, staff.ErrBadUsername) {
			t.Errorf("bad username: %v", err)
		}
		if _, _, err := s.CreateUser(ctx, "someone", "", "root", "cli:root"); !errors.Is(err, staff.ErrBadRole) {
			t.Errorf("bad role: %v", err)
		}
		u, link, err := s.CreateUser(ctx, "auditor1", "Auditor", staff.RoleAuditor, "cli:root")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateUser(ctx, "auditor1", "", staff.RoleCare, "cli:root"); !errors.Is(err, staff.ErrUsernameTaken) {
			t.Errorf("username twice: %v", err)
		}
		e, err := s.BeginSetup(ctx, link)
		if err != nil {
			t.Fatal(err)
		}
		for _, pw := range []string{"short", "aaaaaaaaaaaaaaaa", "auditor1-is-my-name", "password1234"} {
			if _, err := s.CompleteSetup(ctx, link, pw, code(t, e.Secret, c.now)); !errors.Is(err, staff.ErrWeakPassword) {
				t.Errorf("password %q: %v", pw, err)
			}
		}
		if _, err := s.CompleteSetup(ctx, link, "a long enough passphrase", "123456"); !errors.Is(err, staff.ErrBadCode) {
			t.Errorf("wrong code: %v", err)
		}
		c.now = c.now.Add(staff.SetupTTL + time.Second)
		if _, err := s.CompleteSetup(ctx, link, "a long enough passphrase", code(t, e.Secret, c.now)); !errors.Is(err, staff.ErrSetupLink) {
			t.Errorf("a day-old link: %v", err)
		}
		link, err = s.ResetUser(ctx, u.ID, "staff:admin")
		if err != nil {
			t.Fatal(err)
		}
		e, _ = s.BeginSetup(ctx, link)
		if _, err := s.CompleteSetup(ctx, link, "a long enough passphrase", code(t, e.Secret, c.now)); err != nil {
			t.Fatal(err)
		}
		c.now = c.now.Add(time.Minute)
		_, token, err := s.SignIn(ctx, "auditor1", "a long enough passphrase", code(t, e.Secret, c.now), "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetRole(ctx, u.ID, staff.RoleCare, "staff:admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, token); !errors.Is(err, staff.ErrSignedOut) {
			t.Errorf("a session after a role change: %v", err)
		}
		c.now = c.now.Add(time.Minute)
		_, token, _ = s.SignIn(ctx, "auditor1", "a long enough passphrase", code(t, e.Secret, c.now), "")
		if err := s.SetStatus(ctx, u.ID, false, "staff:admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, token); !errors.Is(err, staff.ErrSignedOut) {
			t.Errorf("a disabled user's session: %v", err)
		}
		c.now = c.now.Add(time.Minute)
		if _, _, err := s.SignIn(ctx, "auditor1", "a long enough passphrase", code(t, e.Secret, c.now), ""); !errors.Is(err, staff.ErrSignIn) {
			t.Errorf("a disabled user signs in: %v", err)
		}
		var n int
		db.Read().QueryRow(`SELECT count(*) FROM audit_events WHERE subject = $1`, u.ID).Scan(&n)
		if n < 5 {
			t.Errorf("%d audit events for the account, want every action", n)
		}
	})
}

// A TOTP seed is sealed: the database alone does not give it, and a node
// with another seal key cannot use it.
func TestSeedSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c := service(t, db, "seal-key-0123456789abcdef")
		_, secret, _ := enrol(t, s, c, "admin1", staff.RoleAdmin)
		var sealed string
		db.Read().QueryRow(`SELECT totp_sealed FROM users WHERE username = 'admin1'`).Scan(&sealed)
		if sealed == "" || strings.Contains(sealed, secret) {
			t.Errorf("the seed is stored readable: %q", sealed)
		}
		other, _ := staff.NewService(db, "Mteja Power", []byte("another-seal-key-0123456789"))
		c.now = c.now.Add(time.Minute)
		if _, _, err := other.SignIn(ctx, "admin1", "correct horse battery staple", code(t, secret, c.now), ""); !errors.Is(err, staff.ErrSealKey) {
			t.Errorf("sign in with another seal key: %v", err)
		}
	})
}
