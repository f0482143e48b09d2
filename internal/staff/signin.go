package staff

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
)

// Sessions last a working day at most, and end after an hour without use.
const (
	SessionTTL  = 12 * time.Hour
	SessionIdle = time.Hour
)

// Limits on signing in, in the database so that they hold on every node:
// per username (a guesser aiming at one account) and per client address
// (one aiming at many). Every attempt counts, right or wrong, before any
// check, so the answer's timing tells a guesser nothing either.
var (
	SignInPerUser    = quota.Rule{Name: "staff.signin.user", Max: 10, Per: 15 * time.Minute}
	SignInPerAddress = quota.Rule{Name: "staff.signin.address", Max: 50, Per: time.Hour}
	SetupPerUser     = quota.Rule{Name: "staff.setup", Max: 10, Per: time.Hour}
)

// ErrSignIn is the one answer to a failed sign-in, whatever failed: the
// username, the password, the code, or the account's state.
var ErrSignIn = errors.New("wrong username, password or code")

// ErrSignedOut is returned for a session that is missing, ended, idle too
// long, or whose user was disabled.
var ErrSignedOut = errors.New("signed out")

// ErrBadCode is returned at set-up for a code that does not match.
var ErrBadCode = errors.New("the code does not match: check the phone's clock and type the code the app shows now")

// Enrolment is what the set-up page shows: the TOTP seed as a QR code for
// the authenticator app, and as text for typing.
type Enrolment struct {
	User   User
	Secret string // base32
	URL    string // otpauth://totp/...
	QRPNG  []byte // the URL as a QR code
}

// BeginSetup returns the enrolment for a set-up token. The seed is made
// once and kept (sealed) until set-up completes, so that reloading the page
// shows the QR code already scanned.
func (s *Service) BeginSetup(ctx context.Context, token string) (Enrolment, error) {
	var e Enrolment
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		u, err := userBySetup(tx, token)
		if err != nil {
			return err
		}
		e.User = u
		var sealed string
		if err := tx.QueryRow(`SELECT totp_sealed FROM users WHERE id = $1`, u.ID).Scan(&sealed); err != nil {
			return err
		}
		if sealed != "" {
			e.Secret, err = s.seal.Open(sealed, u.ID)
			return err
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: s.Issuer, AccountName: u.Username})
		if err != nil {
			return fmt.Errorf("TOTP seed: %w", err)
		}
		e.Secret = key.Secret()
		if sealed, err = s.seal.Seal(e.Secret, u.ID); err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE users SET totp_sealed = $2 WHERE id = $1`, u.ID, sealed)
		return err
	})
	if err != nil {
		return Enrolment{}, err
	}
	raw, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.Issuer, AccountName: e.User.Username, Secret: raw})
	if err != nil {
		return Enrolment{}, err
	}
	e.URL = key.URL()
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, fmt.Errorf("QR code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return Enrolment{}, err
	}
	e.QRPNG = b.Bytes()
	return e, nil
}

// CompleteSetup sets the user's password and confirms their authenticator
// with a code it shows; the account is then active. It returns ten recovery
// codes, each good for one sign-in without the phone, shown this once.
func (s *Service) CompleteSetup(ctx context.Context, token, password, code string) ([]string, error) {
	var codes []string
	var verdict error
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		codes, verdict = nil, nil
		u, err := userBySetup(tx, token)
		if err != nil {
			return err
		}
		if err := quota.TakeTx(tx, SetupPerUser.Of(u.ID)); err != nil {
			return err
		}
		if err := checkStrength(u.Username, password); err != nil {
			verdict = err
			return nil
		}
		var sealed string
		if err := tx.QueryRow(`SELECT totp_sealed FROM users WHERE id = $1`, u.ID).Scan(&sealed); err != nil {
			return err
		}
		if sealed == "" {
			verdict = ErrSetupLink // the page that shows the seed was never opened
			return nil
		}
		secret, err := s.seal.Open(sealed, u.ID)
		if err != nil {
			return err
		}
		step, ok := matchTOTP(secret, code, tx.Now, 0)
		if !ok {
			verdict = ErrBadCode
			return nil
		}
		hash, err := hashPassword(password)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE users SET status = 'active', password_hash = $2, totp_last_step = $3, setup_hash = '', setup_expires_at = 0, updated_at = $4 WHERE id = $1`,
			u.ID, hash, step, store.Micros(tx.Now)); err != nil {
			return err
		}
		if codes, err = newRecoveryCodes(tx, u.ID); err != nil {
			return err
		}
		return payment.Audit(tx, u.Actor(), "user.setup", u.ID, "password and TOTP set")
	})
	if err != nil {
		return nil, err
	}
	return codes, verdict
}

// matchTOTP checks a six-digit code against the seed at now, one 30-second
// step either side for a phone's clock, and returns its step. A step not
// after last (one already used) is refused, so a code seen over a
// shoulder cannot be used again.
func matchTOTP(secret, code string, now time.Time, last int64) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	step := now.Unix() / 30
	for _, s := range []int64{step - 1, step, step + 1} {
		if s <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*30, 0), totp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// recoveryCount is how many recovery codes a user gets.
const recoveryCount = 10

func newRecoveryCodes(tx *store.Tx, userID string) ([]string, error) {
	if _, err := tx.Exec(`DELETE FROM staff_recovery_codes WHERE user_id = $1`, userID); err != nil {
		return nil, err
	}
	var out []string
	for range recoveryCount {
		b := make([]byte, 7) // 56 bits
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		c := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
		code := c[:5] + "-" + c[5:]
		if _, err := tx.Exec(`INSERT INTO staff_recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, recoveryHash(userID, code)); err != nil {
			return nil, err
		}
		out = append(out, code)
	}
	return out, nil
}

func recoveryHash(userID, code string) string {
	c := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	return tokenHash(userID + ":" + c)
}

// Session is a signed-in staff member on one browser.
type Session struct {
	ID        string // safe to show and log
	User      User
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SignIn checks a username, password and code (the authenticator's six
// digits, or a recovery code) from the client address, and opens a
// session. Every failure is ErrSignIn; over a limit, *quota.Exceeded.
func (s *Service) SignIn(ctx context.Context, username, password, code, address string) (Session, string, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	keys := []quota.Key{SignInPerUser.Of(store.Truncate(username, 40))}
	if address != "" {
		keys = append(keys, SignInPerAddress.Of(address))
	}
	if err := quota.Take(ctx, s.DB, keys...); err != nil {
		return Session{}, "", err
	}
	var u User
	var hash, sealed string
	var last int64
	err := s.DB.Read().QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash, totp_sealed, totp_last_step FROM users WHERE username = $1`, username).
		Scan(&u.ID, &u.Username, &u.Name, &u.Role, &u.Status, new(int64), &hash, &sealed, &last)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (u.Status != UserActive || hash == "") {
		checkPassword(dummyHash, password) // the same time as a wrong password
		return Session{}, "", ErrSignIn
	}
	if err != nil {
		return Session{}, "", fmt.Errorf("sign in: %w", err)
	}
	if !checkPassword(hash, password) {
		return Session{}, "", ErrSignIn
	}
	secret, err := s.seal.Open(sealed, u.ID)
	if err != nil {
		return Session{}, "", fmt.Errorf("sign in %s: %w", u.Username, err)
	}
	step, totpOK := matchTOTP(secret, code, s.DB.Now(), last)
	var sess Session
	var token string
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		sess, token = Session{}, ""
		how := "TOTP"
		if totpOK {
			// The condition makes a code good once even when two sign-ins
			// race with it.
			res, err := tx.Exec(`UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, u.ID, step)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return ErrSignIn
			}
		} else {
			res, err := tx.Exec(`UPDATE staff_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
				u.ID, recoveryHash(u.ID, code), store.Micros(tx.Now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return ErrSignIn
			}
			how = "a recovery code"
		}
		var err error
		sess, token, err = newSession(tx, u, address)
		if err != nil {
			return err
		}
		return payment.Audit(tx, u.Actor(), "staff.signin", u.ID, "with "+how+" from "+store.Truncate(address, 60))
	})
	if err != nil {
		return Session{}, "", err
	}
	return sess, token, nil
}

func newSession(tx *store.Tx, u User, address string) (Session, string, error) {
	token, hash, err := secretToken("mss_")
	if err != nil {
		return Session{}, "", err
	}
	sess := Session{ID: uuid.Must(uuid.NewV7()).String(), User: u, CreatedAt: tx.Now, ExpiresAt: tx.Now.Add(SessionTTL)}
	// Sessions of this user that ended go as a new one starts.
	if _, err := tx.Exec(`DELETE FROM staff_sessions WHERE user_id = $1 AND expires_at <= $2`, u.ID, store.Micros(tx.Now)); err != nil {
		return Session{}, "", err
	}
	_, err = tx.Exec(`INSERT INTO staff_sessions (token_hash, id, user_id, address, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
		hash, sess.ID, u.ID, store.Truncate(address, 60), store.Micros(tx.Now), store.Micros(sess.ExpiresAt))
	if err != nil {
		return Session{}, "", fmt.Errorf("store staff session: %w", err)
	}
	return sess, token, nil
}

// Authenticate returns the live session holding token. A session idle for
// SessionIdle ends; use is written down at most once a minute.
func (s *Service) Authenticate(ctx context.Context, token string) (Session, error) {
	if !strings.HasPrefix(token, "mss_") || len(token) > 100 {
		return Session{}, ErrSignedOut
	}
	var sess Session
	var created, expires, seen int64
	now := s.DB.Now()
	err := s.DB.Read().QueryRowContext(ctx, `SELECT s.id, s.created_at, s.expires_at, s.last_seen_at, `+prefixed("u.", userColumns)+`
		FROM staff_sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.status = 'active'`, tokenHash(token), store.Micros(now)).
		Scan(&sess.ID, &created, &expires, &seen, &sess.User.ID, &sess.User.Username, &sess.User.Name, &sess.User.Role, &sess.User.Status, new(int64))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrSignedOut
	}
	if err != nil {
		return Session{}, fmt.Errorf("staff session: %w", err)
	}
	if now.Sub(store.Time(seen)) > SessionIdle {
		return Session{}, ErrSignedOut
	}
	sess.CreatedAt, sess.ExpiresAt = store.Time(created), store.Time(expires)
	if now.Sub(store.Time(seen)) > time.Minute {
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(`UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1`, tokenHash(token), store.Micros(tx.Now))
			return err
		})
		if err != nil {
			return Session{}, fmt.Errorf("staff session: %w", err)
		}
	}
	return sess, nil
}

// SignOut ends the session holding token.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE staff_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash(token), store.Micros(tx.Now))
		return err
	})
}

func endSessions(tx *store.Tx, userID string) error {
	_, err := tx.Exec(`UPDATE staff_sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, store.Micros(tx.Now))
	return err
}

// prefixed qualifies each column of a list with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ", ")
	for i, p := range parts {
		parts[i] = alias + p
	}
	return strings.Join(parts, ", ")
}
