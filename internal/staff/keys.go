package staff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// Key is a stored API key as staff may see it: never the key or its hash.
type Key struct {
	ID        string
	Name      string
	Role      string
	CreatedAt time.Time
	RevokedAt time.Time // zero while the key is valid
}

// Revoked reports whether the key no longer authenticates.
func (k Key) Revoked() bool { return !k.RevokedAt.IsZero() }

func (k Key) String() string { return fmt.Sprintf("%s (%s, %s)", k.ID, k.Name, k.Role) }

const keyColumns = `id, name, role, created_at, revoked_at`

func scanKey(row interface{ Scan(...any) error }) (Key, error) {
	var k Key
	var created int64
	var revoked sql.NullInt64
	if err := row.Scan(&k.ID, &k.Name, &k.Role, &created, &revoked); err != nil {
		return Key{}, err
	}
	k.CreatedAt = store.Time(created)
	if revoked.Valid {
		k.RevokedAt = store.Time(revoked.Int64)
	}
	return k, nil
}

// ListAPIKeys returns every key, valid or revoked, oldest first.
func ListAPIKeys(ctx context.Context, db *store.DB) ([]Key, error) {
	keys, err := scanKeys(db.Read().QueryContext(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY created_at, id`))
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	return keys, nil
}

// scanKeys reads the keys a query of keyColumns returned; it takes the
// query's results as they come, error included.
func scanKeys(rows *sql.Rows, err error) ([]Key, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// ErrAmbiguous is returned when a name given to RevokeAPIKey fits more than
// one valid key: revoking them all, or one at random, could cut off a
// partner nobody meant to.
var ErrAmbiguous = errors.New("more than one valid key has this name")

// ErrRevoked is returned for a key that is already revoked.
var ErrRevoked = errors.New("already revoked")

// RevokeAPIKey revokes the key with id idOrName, or else the one valid key
// named idOrName, and records an audit event naming actor. The check in
// Authenticate reads the database on every request, so the key stops
// working on every node at once. Returns an error wrapping ErrAmbiguous when
// several valid keys have the name, ErrRevoked when the key is revoked
// already, and store.ErrNotFound when no key fits.
func RevokeAPIKey(ctx context.Context, db *store.DB, idOrName, actor string) (Key, error) {
	var k Key
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if k, err = findKey(tx, idOrName); err != nil {
			return err
		}
		k.RevokedAt = tx.Now
		return revoke(tx, k, actor, "")
	})
	if err != nil {
		return Key{}, fmt.Errorf("revoke API key %q: %w", idOrName, err)
	}
	return k, nil
}

// findKey looks idOrName up as an id, then as the name of a valid key.
func findKey(tx *store.Tx, idOrName string) (Key, error) {
	k, err := scanKey(tx.QueryRow(`SELECT `+keyColumns+` FROM api_keys WHERE id = $1`, idOrName))
	switch {
	case err == nil && k.Revoked():
		return Key{}, fmt.Errorf("key %s: %w at %s", k, ErrRevoked, k.RevokedAt.Format(time.RFC3339))
	case err == nil:
		return k, nil
	case !errors.Is(err, sql.ErrNoRows):
		return Key{}, fmt.Errorf("find key: %w", err)
	}
	named, err := scanKeys(tx.Query(`SELECT `+keyColumns+` FROM api_keys WHERE name = $1 ORDER BY created_at, id`, idOrName))
	if err != nil {
		return Key{}, fmt.Errorf("find key: %w", err)
	}
	var valid []Key
	for _, k := range named {
		if !k.Revoked() {
			valid = append(valid, k)
		}
	}
	switch {
	case len(valid) == 1:
		return valid[0], nil
	case len(valid) > 1:
		ids := make([]string, len(valid))
		for i, k := range valid {
			ids[i] = k.ID
		}
		return Key{}, fmt.Errorf("%w (%s): give the id of the one to revoke", ErrAmbiguous, strings.Join(ids, ", "))
	case len(named) > 0:
		return Key{}, fmt.Errorf("every key with this name is %w", ErrRevoked)
	}
	return Key{}, fmt.Errorf("no key has this id or name: %w", store.ErrNotFound)
}

// revoke revokes k and records why in the audit log.
func revoke(tx *store.Tx, k Key, actor, why string) error {
	if _, err := tx.Exec(`UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, k.ID, store.Micros(tx.Now)); err != nil {
		return fmt.Errorf("revoke key %s: %w", k.ID, err)
	}
	detail := k.Name + " (" + k.Role + ")"
	if why != "" {
		detail += ": " + why
	}
	return payment.Audit(tx, actor, "apikey.revoke", k.ID, detail)
}
