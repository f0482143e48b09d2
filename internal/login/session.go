package login

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// Session is a logged-in customer's phone on one browser or app.
type Session struct {
	ID        string // public: safe to log and to show
	MSISDN    string
	Kind      string
	CreatedAt time.Time
	ExpiresAt time.Time
	// AssistedBy and HubID are set on an assisted session (KindAssisted):
	// the staff user holding it for the customer, and their hub.
	AssistedBy string
	HubID      string
}

// assistance names who holds an assisted session; zero for the
// customer's own.
type assistance struct{ by, hub string }

// tokenPrefix makes session tokens recognisable in leaked-secret scans.
const tokenPrefix = "mts_"

// hashToken hashes a session token for storage. Tokens are 256 random
// bits, so a fast hash is safe (there is no dictionary to try) and keeps
// each request's check to microseconds.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func createSession(tx *store.Tx, msisdn, kind string, ttl time.Duration, a assistance) (Session, string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return Session{}, "", fmt.Errorf("session token: %w", err)
	}
	token := tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	s := Session{ID: uuid.Must(uuid.NewV7()).String(), MSISDN: msisdn, Kind: kind, CreatedAt: tx.Now, ExpiresAt: tx.Now.Add(ttl),
		AssistedBy: a.by, HubID: a.hub}
	_, err := tx.Exec(`INSERT INTO login_sessions (token_hash, id, msisdn, kind, created_at, expires_at, assisted_by, hub_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		hashToken(token), s.ID, s.MSISDN, s.Kind, store.Micros(s.CreatedAt), store.Micros(s.ExpiresAt), a.by, a.hub)
	if err != nil {
		return Session{}, "", fmt.Errorf("store session: %w", err)
	}
	return s, token, nil
}

// Authenticate returns the live session holding token, or ErrUnauthorized.
// An assisted session is not one: it is good only where its holder is
// checked too (AuthenticateAssisted).
func (s *Service) Authenticate(ctx context.Context, token string) (Session, error) {
	sess, err := s.authenticate(ctx, token)
	if err == nil && sess.Kind == KindAssisted {
		return Session{}, ErrUnauthorized
	}
	return sess, err
}

// AuthenticateAssisted returns the live assisted session holding token, or
// ErrUnauthorized; the caller holds it to the staff user it names.
func (s *Service) AuthenticateAssisted(ctx context.Context, token string) (Session, error) {
	sess, err := s.authenticate(ctx, token)
	if err == nil && sess.Kind != KindAssisted {
		return Session{}, ErrUnauthorized
	}
	return sess, err
}

func (s *Service) authenticate(ctx context.Context, token string) (Session, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 128 {
		return Session{}, ErrUnauthorized
	}
	var sess Session
	var created, expires int64
	err := s.DB.Read().QueryRowContext(ctx, `SELECT id, msisdn, kind, created_at, expires_at, assisted_by, hub_id FROM login_sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2`,
		hashToken(token), store.Micros(s.DB.Now())).Scan(&sess.ID, &sess.MSISDN, &sess.Kind, &created, &expires, &sess.AssistedBy, &sess.HubID)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrUnauthorized
	}
	if err != nil {
		return Session{}, fmt.Errorf("authenticate session: %w", err)
	}
	sess.CreatedAt, sess.ExpiresAt = store.Time(created), store.Time(expires)
	return sess, nil
}

// Logout revokes the session holding token. An unknown token is no error:
// the result, no session, is the same.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE login_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`, hashToken(token), store.Micros(tx.Now))
		if err != nil {
			return fmt.Errorf("logout: %w", err)
		}
		return nil
	})
}

// SessionsOf returns the newest portal and app sessions of the phones,
// ended ones included, for the staff console's timeline.
func SessionsOf(ctx context.Context, db *store.DB, phones []string, limit int) ([]Session, error) {
	var args []any
	in := store.In(&args, phones)
	args = append(args, limit)
	rows, err := db.Read().QueryContext(ctx, `SELECT id, msisdn, kind, created_at, expires_at FROM login_sessions WHERE msisdn IN (`+in+`)
		ORDER BY created_at DESC LIMIT $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("sessions of phones: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var s Session
		var created, expires int64
		if err := rows.Scan(&s.ID, &s.MSISDN, &s.Kind, &created, &expires); err != nil {
			return nil, err
		}
		s.CreatedAt, s.ExpiresAt = store.Time(created), store.Time(expires)
		out = append(out, s)
	}
	return out, rows.Err()
}
