package staff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// BootstrapName is the name of the admin key MTEJA_ADMIN_API_KEY holds. A
// key of that name was put there by the variable and goes with it.
const BootstrapName = "MTEJA_ADMIN_API_KEY"

// legacyBootstrapName is the name earlier versions stored the variable's
// key under; such a key is adopted when the variable still holds it.
const legacyBootstrapName = "admin"

// bootstrapActor signs the audit events of keys the variable revokes.
const bootstrapActor = "config:" + BootstrapName

// SetBootstrapKey makes key the one valid bootstrap admin key, at start:
// a bootstrap key stored before under another value (the variable was
// changed) is revoked, and with key "" (the variable unset) every one is.
// It returns the keys it revoked.
//
// A value that names a key revoked already changes nothing and returns an
// error wrapping ErrRevoked: a node started with an old value must not
// revoke the newer key the other nodes use. A value that is another
// role's key is refused.
func SetBootstrapKey(ctx context.Context, db *store.DB, key string) ([]Key, error) {
	if key != "" && len(key) < 20 {
		return nil, fmt.Errorf("%s: at least 20 characters", BootstrapName)
	}
	var revoked []Key
	err := db.InTx(ctx, func(tx *store.Tx) error {
		revoked = nil
		h := ""
		if key != "" {
			h = hashKey(key)
			if err := storeBootstrapKey(tx, h); err != nil {
				return err
			}
		}
		old, err := scanKeys(tx.Query(`SELECT `+keyColumns+` FROM api_keys WHERE name = $1 AND revoked_at IS NULL AND key_hash <> $2`, BootstrapName, h))
		if err != nil {
			return fmt.Errorf("find old bootstrap keys: %w", err)
		}
		why := "the variable was unset"
		if key != "" {
			why = "the variable was changed"
		}
		for _, k := range old {
			if err := revoke(tx, k, bootstrapActor, why); err != nil {
				return err
			}
			k.RevokedAt = tx.Now
			revoked = append(revoked, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return revoked, nil
}

// storeBootstrapKey stores the key whose hash is h as the bootstrap key,
// or adopts it if it is stored already.
func storeBootstrapKey(tx *store.Tx, h string) error {
	var id, name, role string
	var revokedAt sql.NullInt64
	err := tx.QueryRow(`SELECT id, name, role, revoked_at FROM api_keys WHERE key_hash = $1`, h).Scan(&id, &name, &role, &revokedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err := tx.Exec(`INSERT INTO api_keys (id, name, role, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
			uuid.Must(uuid.NewV7()).String(), BootstrapName, RoleAdmin, h, store.Micros(tx.Now))
		if err != nil {
			return fmt.Errorf("store the %s key: %w", BootstrapName, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("find the %s key: %w", BootstrapName, err)
	case revokedAt.Valid:
		return fmt.Errorf("%s holds key %s, which is %w: it cannot authenticate; set a new value", BootstrapName, id, ErrRevoked)
	case role != RoleAdmin:
		return fmt.Errorf("%s holds the %s key %s (%s): set a key of its own", BootstrapName, role, id, name)
	case name == legacyBootstrapName:
		if _, err := tx.Exec(`UPDATE api_keys SET name = $2 WHERE id = $1`, id, BootstrapName); err != nil {
			return fmt.Errorf("adopt the %s key: %w", BootstrapName, err)
		}
	}
	return nil
}
