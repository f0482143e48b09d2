package agent

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

	"github.com/mteja/mteja/internal/store"
)

// SessionTTL is how long an agent's web session lasts: a working day.
const SessionTTL = 12 * time.Hour

// sessionPrefix makes agent session tokens recognisable in leaked-secret
// scans, and apart from customers' and staff's.
const sessionPrefix = "mta_"

func hashSession(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StartSession signs the user in on the web: it returns a session token
// (256 random bits; only its hash is stored) and when it expires.
func (s *Service) StartSession(ctx context.Context, u User) (string, time.Time, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", time.Time{}, fmt.Errorf("agent session: %w", err)
	}
	token := sessionPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	var expires time.Time
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		expires = tx.Now.Add(SessionTTL)
		if _, err := tx.Exec(`INSERT INTO agent_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hashSession(token), u.ID, store.Micros(tx.Now), store.Micros(expires)); err != nil {
			return fmt.Errorf("agent session: %w", err)
		}
		return audit(tx, u, "agent.web_sign_in", "agent:"+u.ID, "")
	})
	return token, expires, err
}

// Session returns the active user of a live session token, or ErrNotAgent.
// A disabled user or outlet ends every session at once.
func (s *Service) Session(ctx context.Context, token string) (User, error) {
	if !strings.HasPrefix(token, sessionPrefix) || len(token) > 128 {
		return User{}, ErrNotAgent
	}
	var u User
	err := s.DB.Read().QueryRowContext(ctx, `SELECT u.id, u.outlet_id, u.name, u.msisdn FROM agent_sessions s
		JOIN agent_users u ON u.id = s.user_id JOIN agent_outlets o ON o.id = u.outlet_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.status = 'active' AND o.status = 'active'`,
		hashSession(token), store.Micros(s.DB.Now())).Scan(&u.ID, &u.OutletID, &u.Name, &u.MSISDN)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotAgent
	}
	if err != nil {
		return User{}, fmt.Errorf("agent session: %w", err)
	}
	return u, nil
}

// EndSession revokes a session token; an unknown one is no error.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE agent_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`, hashSession(token), store.Micros(tx.Now))
		if err != nil {
			return fmt.Errorf("agent sign-out: %w", err)
		}
		return nil
	})
}

// SalesOf lists a user's latest sales, newest first, for the web page's
// reprints.
func SalesOf(ctx context.Context, q Querier, userID string, limit int) ([]Sale, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+saleColumns+` FROM agent_sales WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("sales: %w", err)
	}
	defer rows.Close()
	var out []Sale
	for rows.Next() {
		s, err := scanSale(rows)
		if err != nil {
			return nil, fmt.Errorf("sales: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
