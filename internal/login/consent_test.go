package login_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// lastConsent reads the newest consent code sent to msisdn.
func (b *testBundle) lastConsent(t *testing.T, msisdn string) (string, notify.Message) {
	t.Helper()
	msgs, err := notify.ForRecipient(context.Background(), b.db, msisdn, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 || msgs[0].Template != "consent" {
		t.Fatalf("no consent SMS to %s (messages %+v)", msisdn, msgs)
	}
	return codeRE.FindString(msgs[0].Body), msgs[0]
}

// A consent code opens a short assisted session naming the attendant and
// the hub, once; it is no login code, a login code is no consent code,
// and the session it opens is refused wherever a customer's own is asked
// for (the app API, the portal's plain check).
func TestConsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		const john = "254708374149"

		if _, err := b.svc.RequestConsent(ctx, "0708374149", "10.0.0.1", "", "akinyi", "Kisumu Central"); !errors.Is(err, login.ErrAssistOff) {
			t.Errorf("consent asked by nobody: %v, want ErrAssistOff", err)
		}
		if _, err := b.svc.RequestConsent(ctx, "0708374149", "10.0.0.1", "u1", "akinyi", "Kisumu Central"); err != nil {
			t.Fatal(err)
		}
		code, msg := b.lastConsent(t, john)
		if msg.Lane != notify.LaneOTP || !strings.Contains(msg.Body, "akinyi at Kisumu Central") || code == "" {
			t.Errorf("consent SMS %+v; want the attendant and hub named, on the otp lane, with a code", msg)
		}

		// Typed at the portal's login, a consent code opens nothing.
		if err := verify(b, john, code); !errors.Is(err, login.ErrBadCode) {
			t.Errorf("consent code as a login code: %v, want ErrBadCode", err)
		}
		// Another attendant's session needs a hub.
		if _, _, err := b.svc.VerifyConsent(ctx, john, code, "10.0.0.1", "u1", ""); !errors.Is(err, login.ErrAssistOff) {
			t.Errorf("no hub: %v", err)
		}
		sess, token, err := b.svc.VerifyConsent(ctx, john, code, "10.0.0.1", "u1", "hub1")
		if err != nil {
			t.Fatal(err)
		}
		if sess.Kind != login.KindAssisted || sess.AssistedBy != "u1" || sess.HubID != "hub1" || sess.ExpiresAt.Sub(sess.CreatedAt) != login.AssistedTTL {
			t.Errorf("session %+v", sess)
		}
		if _, _, err := b.svc.VerifyConsent(ctx, john, code, "10.0.0.1", "u1", "hub1"); !errors.Is(err, login.ErrBadCode) {
			t.Errorf("a consent code twice: %v, want ErrBadCode", err)
		}
		if _, err := b.svc.Authenticate(ctx, token); !errors.Is(err, login.ErrUnauthorized) {
			t.Errorf("assisted token as a customer's own session: %v, want ErrUnauthorized", err)
		}
		got, err := b.svc.AuthenticateAssisted(ctx, token)
		if err != nil || got.MSISDN != john || got.AssistedBy != "u1" {
			t.Fatalf("AuthenticateAssisted = %+v, %v", got, err)
		}

		// A customer's login code opens no assisted session.
		b.advance(time.Minute)
		if _, err := b.svc.RequestCode(ctx, john, "10.0.0.9"); err != nil {
			t.Fatal(err)
		}
		login1, _ := b.lastCode(t, john)
		if _, _, err := b.svc.VerifyConsent(ctx, john, login1, "10.0.0.1", "u1", "hub1"); !errors.Is(err, login.ErrBadCode) {
			t.Errorf("login code as consent: %v, want ErrBadCode", err)
		}
		// ... and is still good for the customer (a wrong purpose spends none of its guesses on it).
		s2, tok2, err := b.svc.Verify(ctx, john, login1, login.KindWeb, "10.0.0.9")
		if err != nil {
			t.Fatalf("the customer's own code after an attendant typed it: %v", err)
		}
		if _, err := b.svc.AuthenticateAssisted(ctx, tok2); !errors.Is(err, login.ErrUnauthorized) || s2.AssistedBy != "" {
			t.Errorf("a customer's session as an assisted one: %v", err)
		}

		// Only its attendant ends an assisted session; it ends on the spot,
		// or after AssistedTTL.
		if err := b.svc.EndAssisted(ctx, token, "u2"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.AuthenticateAssisted(ctx, token); err != nil {
			t.Errorf("ended by another attendant: %v", err)
		}
		b.advance(login.AssistedTTL)
		if _, err := b.svc.AuthenticateAssisted(ctx, token); !errors.Is(err, login.ErrUnauthorized) {
			t.Errorf("after %s: %v, want ErrUnauthorized", login.AssistedTTL, err)
		}
	})
}

// An attendant fishing among phones: the code dies after five wrong
// guesses, and consent requests share the phone's own limits (one per 30
// s, five an hour) and stop at 30 an hour for one attendant.
func TestConsentLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		const john = "254708374149"
		if _, err := b.svc.RequestConsent(ctx, john, "10.0.0.1", "u1", "akinyi", "Kisumu Central"); err != nil {
			t.Fatal(err)
		}
		code, _ := b.lastConsent(t, john)
		for i := range 5 {
			if _, _, err := b.svc.VerifyConsent(ctx, john, wrong(code), "10.0.0.1", "u1", "hub1"); !errors.Is(err, login.ErrBadCode) {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if _, _, err := b.svc.VerifyConsent(ctx, john, code, "10.0.0.1", "u1", "hub1"); !errors.Is(err, login.ErrCodeSpent) {
			t.Errorf("right code after five wrong: %v, want ErrCodeSpent", err)
		}
		// The phone's gap holds for consent as for login.
		var rl *login.RateLimitError
		if _, err := b.svc.RequestConsent(ctx, john, "10.0.0.1", "u1", "akinyi", "Kisumu Central"); !errors.As(err, &rl) || rl.What != "phone" {
			t.Errorf("second consent within 30 s: %v, want the phone's limit", err)
		}
		if _, err := b.svc.RequestCode(ctx, john, "10.0.0.2"); !errors.As(err, &rl) {
			t.Errorf("a login code right after a consent code: %v, want the phone's limit", err)
		}
		// One attendant, many phones (none registered: they cost the same).
		n := 0
		for i := range 40 {
			_, err := b.svc.RequestConsent(ctx, "07990001"+string(rune('0'+i/10))+string(rune('0'+i%10)), "", "u1", "akinyi", "Kisumu Central")
			if errors.As(err, &rl) {
				if rl.What != "staff user" {
					t.Errorf("refused for %q, want the staff user's limit", rl.What)
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 29 {
			t.Errorf("%d consent requests for other phones, want 29 (30 an hour with the first)", n)
		}
	})
}
