// Package staff holds who may act on Mteja besides customers: staff roles
// and the API keys of integrations and staff tools.
package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// Roles, from least to most trusted. A role sees only what it needs.
const (
	RoleIntegration = "integration" // a partner system: meter lookup, vend history, re-send
	RoleAgent       = "agent"
	RoleCare        = "care"    // customer care: customers, tokens, payments, re-send
	RoleFinance     = "finance" // suspense, refunds, reversals, reports
	RoleAdmin       = "admin"   // everything
)

var roleRank = map[string]int{RoleIntegration: 1, RoleAgent: 2, RoleCare: 3, RoleFinance: 4, RoleAdmin: 5}

// ValidRole reports whether r is a role.
func ValidRole(r string) bool { return roleRank[r] > 0 }

// Principal is who made a request.
type Principal struct {
	KeyID string
	Name  string
	Role  string
}

// Can reports whether p holds one of the roles (admin holds all).
func (p Principal) Can(roles ...string) bool {
	if p.Role == RoleAdmin {
		return true
	}
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

// SeesTokens reports whether p may see token digits, or anything else that
// lets one type a token into a meter: the roles that hand tokens to
// customers do; finance, which reconciles money, does not.
func (p Principal) SeesTokens() bool {
	return p.Can(RoleIntegration, RoleAgent, RoleCare)
}

// String names the principal for audit events.
func (p Principal) String() string { return p.Role + ":" + p.Name }

// ErrUnauthorized is returned for a missing, unknown or revoked key.
var ErrUnauthorized = errors.New("invalid API key")

// keyPrefix makes keys recognisable in leaked-secret scans.
const keyPrefix = "mtk_"

// hashKey hashes an API key for storage. Keys are 160 random bits, so a
// fast hash is safe (no dictionary to try), and it keeps each request's
// check to microseconds where bcrypt would cost tens of milliseconds.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey makes a key for name with role and returns it; only its hash
// is stored, so this is the one time the key can be seen.
func CreateAPIKey(ctx context.Context, db *store.DB, name, role string) (string, error) {
	if !ValidRole(role) {
		return "", fmt.Errorf("role %q: want integration, agent, care, finance or admin", role)
	}
	b := make([]byte, 20)
	rand.Read(b)
	key := keyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	err := db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO api_keys (id, name, role, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
			uuid.Must(uuid.NewV7()).String(), name, role, hashKey(key), store.Micros(tx.Now))
		if err != nil {
			return fmt.Errorf("store API key: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

// Authenticate returns the principal holding key.
func Authenticate(ctx context.Context, db *store.DB, key string) (Principal, error) {
	if key == "" {
		return Principal{}, ErrUnauthorized
	}
	h := hashKey(key)
	var p Principal
	var stored string
	err := db.Read().QueryRowContext(ctx, `SELECT id, name, role, key_hash FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, h).Scan(&p.KeyID, &p.Name, &p.Role, &stored)
	if err != nil || subtle.ConstantTimeCompare([]byte(stored), []byte(h)) != 1 {
		return Principal{}, ErrUnauthorized
	}
	return p, nil
}
