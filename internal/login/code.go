package login

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
)

// CodeDigits is the length of a login code.
const CodeDigits = 6

// ErrCodeSpent is returned when the phone's live codes took too many wrong
// guesses: only a new code helps.
var ErrCodeSpent = errors.New("too many wrong codes: ask for a new code")

// noCode is the code_hash of a code row kept for a number nobody
// registered: hashCode gives 64 hex digits, so no typed code matches it,
// and Verify does not even compare it.
const noCode = "-"

// RequestCode sends a login code by SMS to rawPhone, a number in any form a
// customer types, asked for from the client address ip. It returns the
// normalised number.
//
// A number that is not registered gets the same answer and no SMS, so that
// the form does not tell strangers who is a customer. It still gets a code
// row, one that can never open a session, so that Verify answers guesses
// at it exactly as at a customer's code: wrong, then spent after as many
// guesses. Its requests count against the same limits.
func (s *Service) RequestCode(ctx context.Context, rawPhone, ip string) (string, error) {
	return s.requestCode(ctx, codeRequest{purpose: purposeLogin, template: "otp"}, rawPhone, ip)
}

// Purposes of a code: a login code opens the customer's own session, a
// consent code a hub attendant's assisted one, and neither the other.
const (
	purposeLogin   = "login"
	purposeConsent = "consent"
)

// codeRequest is what differs between a login code and a consent code.
type codeRequest struct {
	purpose, template string
	data              map[string]any // more for the template beside Utility and Code
	keys              []quota.Key    // more limits to count against
}

func (s *Service) requestCode(ctx context.Context, req codeRequest, rawPhone, ip string) (string, error) {
	msisdn, err := phone.Normalize(rawPhone)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadPhone, err)
	}
	lim := s.Limits.withDefaults()
	code, err := newCode()
	if err != nil {
		return "", err
	}
	queued := false
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		queued = false
		if err := admit(tx, lim, msisdn, ip, req.keys...); err != nil {
			return err
		}
		lang, registered, err := s.languageOf(ctx, tx, msisdn)
		if err != nil {
			return err
		}
		id := uuid.Must(uuid.NewV7()).String()
		hash := noCode
		if registered {
			hash = hashCode(id, code)
		}
		_, err = tx.Exec(`INSERT INTO login_codes (id, msisdn, code_hash, attempts, created_at, expires_at, purpose) VALUES ($1, $2, $3, 0, $4, $5, $6)`,
			id, msisdn, hash, store.Micros(tx.Now), store.Micros(tx.Now.Add(lim.CodeTTL)), req.purpose)
		if err != nil {
			return fmt.Errorf("store login code: %w", err)
		}
		if !registered {
			return nil
		}
		data := map[string]any{"Utility": s.Utility, "Code": code}
		for k, v := range req.data {
			data[k] = v
		}
		body, err := notify.Render(req.template, lang, data)
		if err != nil {
			return err
		}
		queued = true
		return notify.Enqueue(tx, notify.Message{Recipient: msisdn, Lane: notify.LaneOTP, Template: req.template, Language: lang, Body: body, Ref: id})
	})
	if err != nil {
		return "", fmt.Errorf("%s code for %s: %w", req.purpose, phone.Mask(msisdn), err)
	}
	if queued && s.OnMessages != nil {
		s.OnMessages()
	}
	return msisdn, nil
}

// languageOf returns the language of the customer registered with msisdn,
// and whether there is one: the utility's, else another service's.
func (s *Service) languageOf(ctx context.Context, tx *store.Tx, msisdn string) (string, bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM customer_phones WHERE msisdn = $1`, msisdn).Scan(&n); err != nil {
		return "", false, fmt.Errorf("look up phone: %w", err)
	}
	if n == 0 {
		if s.Others == nil {
			return "", false, nil
		}
		return s.Others(ctx, tx, msisdn)
	}
	lang, err := customer.LanguageOf(ctx, tx, msisdn)
	return lang, true, err
}

// Verify checks a code typed for rawPhone from the client address ip and,
// when it is right, opens a session of kind (KindWeb or KindApp). It
// returns the session and its token, which only the caller ever sees: the
// database keeps its hash.
//
// Two limits in the database stop guessing on every node alike: a code
// dies after MaxAttempts wrong guesses, and one address may type
// VerifyPerHour codes an hour (*RateLimitError beyond). An empty ip, for
// callers with no client, is counted by the first limit only.
//
// Every live code of the phone is tried, so a customer who asked twice may
// type either; each wrong guess counts against all of them. The answers
// (ErrBadCode, then ErrCodeSpent once the codes took MaxAttempts wrong
// guesses) are the same for a number nobody registered: see RequestCode.
func (s *Service) Verify(ctx context.Context, rawPhone, code, kind, ip string) (Session, string, error) {
	if kind != KindWeb && kind != KindApp {
		return Session{}, "", fmt.Errorf("session kind %q: want web or app", kind)
	}
	lim := s.Limits.withDefaults()
	return s.verify(ctx, codeCheck{purpose: purposeLogin, open: func(tx *store.Tx, msisdn string) (Session, string, error) {
		return createSession(tx, msisdn, kind, lim.SessionTTL, assistance{})
	}}, rawPhone, code, ip)
}

// codeCheck is what differs between checking a login code and a consent
// code: the limits counted beside the address's, and the session a right
// code opens.
type codeCheck struct {
	purpose string
	keys    []quota.Key
	open    func(tx *store.Tx, msisdn string) (Session, string, error)
}

func (s *Service) verify(ctx context.Context, check codeCheck, rawPhone, code, ip string) (Session, string, error) {
	msisdn, err := phone.Normalize(rawPhone)
	if err != nil {
		return Session{}, "", fmt.Errorf("%w: %v", ErrBadPhone, err)
	}
	code = strings.Join(strings.Fields(code), "")
	if len(code) != CodeDigits || strings.Trim(code, "0123456789") != "" {
		return Session{}, "", fmt.Errorf("%w: want the %d digits from the SMS", ErrBadCode, CodeDigits)
	}
	lim := s.Limits.withDefaults()
	var sess Session
	var token string
	var verdict error // a refusal that must still commit the counted attempt
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		verdict, sess, token = nil, Session{}, ""
		if err := quota.TakeTx(tx, append(lim.verifyKeys(ip), check.keys...)...); err != nil {
			var ex *quota.Exceeded
			if !errors.As(err, &ex) {
				return err
			}
			verdict = rateLimited(err)
			return nil
		}
		rows, err := tx.Query(`SELECT id, code_hash, attempts FROM login_codes WHERE msisdn = $1 AND purpose = $3 AND used_at IS NULL AND expires_at > $2 ORDER BY created_at DESC `+tx.ForUpdate(),
			msisdn, store.Micros(tx.Now), check.purpose)
		if err != nil {
			return fmt.Errorf("read login codes: %w", err)
		}
		type live struct {
			id, hash string
			attempts int
		}
		var codes []live
		for rows.Next() {
			var c live
			if err := rows.Scan(&c.id, &c.hash, &c.attempts); err != nil {
				rows.Close()
				return err
			}
			if c.attempts < lim.MaxAttempts {
				codes = append(codes, c)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(codes) == 0 {
			var spent int
			if err := tx.QueryRow(`SELECT count(*) FROM login_codes WHERE msisdn = $1 AND purpose = $3 AND used_at IS NULL AND expires_at > $2`, msisdn, store.Micros(tx.Now), check.purpose).Scan(&spent); err != nil {
				return err
			}
			verdict = ErrBadCode
			if spent > 0 {
				verdict = ErrCodeSpent
			}
			return nil
		}
		for _, c := range codes {
			if c.hash != noCode && subtle.ConstantTimeCompare([]byte(c.hash), []byte(hashCode(c.id, code))) == 1 {
				// One code opens one session: every live code of the phone
				// dies with it.
				if _, err := tx.Exec(`UPDATE login_codes SET used_at = $2 WHERE msisdn = $1 AND purpose = $3 AND used_at IS NULL`, msisdn, store.Micros(tx.Now), check.purpose); err != nil {
					return fmt.Errorf("use login code: %w", err)
				}
				// Sessions of the phone that ended long ago go too.
				if _, err := tx.Exec(`DELETE FROM login_sessions WHERE msisdn = $1 AND expires_at <= $2`, msisdn, store.Micros(tx.Now.Add(-7*24*time.Hour))); err != nil {
					return fmt.Errorf("prune sessions: %w", err)
				}
				sess, token, err = check.open(tx, msisdn)
				return err
			}
		}
		for _, c := range codes {
			if _, err := tx.Exec(`UPDATE login_codes SET attempts = attempts + 1 WHERE id = $1`, c.id); err != nil {
				return fmt.Errorf("count login attempt: %w", err)
			}
		}
		verdict = ErrBadCode
		return nil
	})
	if err != nil {
		return Session{}, "", fmt.Errorf("verify %s code for %s: %w", check.purpose, phone.Mask(msisdn), err)
	}
	if verdict != nil {
		return Session{}, "", verdict
	}
	return sess, token, nil
}

func newCode() (string, error) {
	// Rejection sampling keeps every code equally likely.
	var b [4]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("login code: %w", err)
		}
		n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		const limit = 4_294_000_000 // the largest multiple of 10^6 below 2^32
		if n < limit {
			return fmt.Sprintf("%06d", n%1_000_000), nil
		}
	}
}

// hashCode binds a code to its row, so equal codes hash differently. The
// hash keeps a code off every screen and backup that shows the table; what
// stops guessing is the limits (wrong guesses per code, codes typed per
// address) and the short life of a code.
func hashCode(id, code string) string {
	sum := sha256.Sum256([]byte(id + ":" + code))
	return hex.EncodeToString(sum[:])
}

// admit counts a code request against the phone's and the address's
// limits, in the transaction that stores the code.
func admit(tx *store.Tx, lim Limits, msisdn, ip string, more ...quota.Key) error {
	// The count (which prunes old counts) comes before any write to
	// login_codes, as in Verify, so that on PostgreSQL the two take their
	// row locks in one order and never wait on each other in a circle.
	if err := quota.TakeTx(tx, append(lim.requestKeys(msisdn, ip), more...)...); err != nil {
		return rateLimited(err)
	}
	// The phone's dead codes go as it asks for a new one, through its
	// index, so the table holds about one row per recent login.
	if _, err := tx.Exec(`DELETE FROM login_codes WHERE msisdn = $1 AND expires_at <= $2`, msisdn, store.Micros(tx.Now.Add(-time.Hour))); err != nil {
		return fmt.Errorf("prune login codes: %w", err)
	}
	return nil
}
