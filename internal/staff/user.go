package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/seal"
	"github.com/mteja/mteja/internal/store"
)

// Roles of staff users, who sign in to the console. They sit beside the API
// key roles above (admin, finance and care mean the same in both).
const (
	RoleSupervisor = "supervisor" // agent supervisor: agents, their floats and sales
	RoleAuditor    = "auditor"    // reads everything, changes nothing, sees no full phone number or name
	// RoleHub is a care hub's attendant: the hub's pages only (its queue,
	// and a walk-in customer's account once they consent by a code).
	RoleHub = "hub"
)

// UserRoles are the roles a staff user may hold, most trusted first.
var UserRoles = []string{RoleAdmin, RoleFinance, RoleCare, RoleSupervisor, RoleAuditor, RoleHub}

// ValidUserRole reports whether r is a staff user's role.
func ValidUserRole(r string) bool {
	for _, u := range UserRoles {
		if u == r {
			return true
		}
	}
	return false
}

// User states.
const (
	UserSetup    = "setup"    // made; waits for its owner to choose a password and enrol TOTP
	UserActive   = "active"   // may sign in
	UserDisabled = "disabled" // may not; kept for the audit trail
)

// User is a staff member's account, as the console shows it.
type User struct {
	ID        string
	Username  string
	Name      string
	Role      string
	Status    string
	CreatedAt time.Time
}

// Actor names the user in audit events: "staff:jkamau".
func (u User) Actor() string { return "staff:" + u.Username }

// Service keeps staff accounts and their sessions.
type Service struct {
	DB *store.DB
	// Issuer names the utility in authenticator apps ("Mteja Power").
	Issuer string
	seal   *seal.Sealer
}

// ErrSealKey is returned when a sealed TOTP seed does not open: the seal
// key is not the one it was sealed with.
var ErrSealKey = seal.ErrKey

// NewService returns the accounts service; sealKey (from the data
// directory or MTEJA_SEAL_KEY) encrypts TOTP seeds at rest.
func NewService(db *store.DB, issuer string, sealKey []byte) (*Service, error) {
	s, err := seal.New(sealKey)
	if err != nil {
		return nil, err
	}
	if issuer == "" {
		issuer = "Mteja"
	}
	return &Service{DB: db, Issuer: issuer, seal: s}, nil
}

var usernameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)

// Errors of account management; each says what to do.
var (
	ErrBadUsername   = errors.New("a username is 3 to 32 lower-case letters, digits, '.', '_' or '-', starting with a letter")
	ErrUsernameTaken = errors.New("that username is taken")
	ErrBadRole       = errors.New("a staff role is admin, finance, care, supervisor, auditor or hub")
	ErrSetupLink     = errors.New("this set-up link is not valid: it was used, replaced or is more than a day old; ask an admin for a new one")
)

// SetupTTL is how long a set-up link works.
const SetupTTL = 24 * time.Hour

const userColumns = `id, username, name, role, status, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created int64
	err := row.Scan(&u.ID, &u.Username, &u.Name, &u.Role, &u.Status, &created)
	u.CreatedAt = store.Time(created)
	return u, err
}

// GetUser returns one user by id.
func (s *Service) GetUser(ctx context.Context, id string) (User, error) {
	u, err := scanUser(s.DB.Read().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	return u, store.NotFound(err, "user "+id)
}

// Users lists every staff user by username.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// secretToken returns a random token with a recognisable prefix and its
// hash for storage; only the hash is kept.
func secretToken(prefix string) (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return token, tokenHash(token), nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateUser makes a staff account waiting for its owner, and returns the
// set-up token for the link that lets them choose a password and enrol
// their authenticator app. by names who made it, for the audit trail.
func (s *Service) CreateUser(ctx context.Context, username, name, role, by string) (User, string, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if !usernameRE.MatchString(username) {
		return User{}, "", ErrBadUsername
	}
	if !ValidUserRole(role) {
		return User{}, "", ErrBadRole
	}
	name = store.Truncate(strings.TrimSpace(name), 100)
	token, hash, err := secretToken("mtu_")
	if err != nil {
		return User{}, "", err
	}
	u := User{ID: uuid.Must(uuid.NewV7()).String(), Username: username, Name: name, Role: role, Status: UserSetup}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		u.CreatedAt = tx.Now
		_, err := tx.Exec(`INSERT INTO users (id, username, name, role, status, password_hash, setup_hash, setup_expires_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'setup', '', $5, $6, $7, $7)`,
			u.ID, u.Username, u.Name, u.Role, hash, store.Micros(tx.Now.Add(SetupTTL)), store.Micros(tx.Now))
		if store.IsUniqueViolation(err) {
			return ErrUsernameTaken
		}
		if err != nil {
			return fmt.Errorf("create user %s: %w", username, err)
		}
		return payment.Audit(tx, by, "user.create", u.ID, u.Username+" as "+role)
	})
	if err != nil {
		return User{}, "", err
	}
	return u, token, nil
}

// ResetUser starts a user's set-up again (a lost phone, a forgotten
// password): the password, the TOTP seed, the recovery codes and every
// session go, and a new set-up token is returned.
func (s *Service) ResetUser(ctx context.Context, id, by string) (string, error) {
	token, hash, err := secretToken("mtu_")
	if err != nil {
		return "", err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`UPDATE users SET status = 'setup', password_hash = '', totp_sealed = '', totp_last_step = 0, setup_hash = $2, setup_expires_at = $3, updated_at = $4 WHERE id = $1`,
			id, hash, store.Micros(tx.Now.Add(SetupTTL)), store.Micros(tx.Now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %s: %w", id, store.ErrNotFound)
		}
		if err := endSessions(tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM staff_recovery_codes WHERE user_id = $1`, id); err != nil {
			return err
		}
		return payment.Audit(tx, by, "user.reset", id, "")
	})
	return token, err
}

// SetStatus disables or re-enables a user; disabling ends their sessions.
func (s *Service) SetStatus(ctx context.Context, id string, enabled bool, by string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		u, err := scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users WHERE id = $1 `+tx.ForUpdate(), id))
		if err != nil {
			return store.NotFound(err, "user "+id)
		}
		to, action := UserDisabled, "user.disable"
		if enabled {
			to, action = UserActive, "user.enable"
			if u.Status != UserDisabled {
				return fmt.Errorf("user %s is %s: only a disabled user can be enabled", u.Username, u.Status)
			}
		}
		if _, err := tx.Exec(`UPDATE users SET status = $2, updated_at = $3 WHERE id = $1`, id, to, store.Micros(tx.Now)); err != nil {
			return err
		}
		if !enabled {
			if err := endSessions(tx, id); err != nil {
				return err
			}
		}
		return payment.Audit(tx, by, action, id, u.Username)
	})
}

// SetRole changes a user's role; their sessions end, so that the new role
// applies at once.
func (s *Service) SetRole(ctx context.Context, id, role, by string) error {
	if !ValidUserRole(role) {
		return ErrBadRole
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`UPDATE users SET role = $2, updated_at = $3 WHERE id = $1`, id, role, store.Micros(tx.Now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %s: %w", id, store.ErrNotFound)
		}
		if err := endSessions(tx, id); err != nil {
			return err
		}
		return payment.Audit(tx, by, "user.role", id, role)
	})
}

// userBySetup returns the user a set-up token belongs to, inside tx.
func userBySetup(tx *store.Tx, token string) (User, error) {
	if !strings.HasPrefix(token, "mtu_") || len(token) > 100 {
		return User{}, ErrSetupLink
	}
	u, err := scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users WHERE setup_hash = $1 AND status = 'setup' AND setup_expires_at > $2 `+tx.ForUpdate(),
		tokenHash(token), store.Micros(tx.Now)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrSetupLink
	}
	return u, err
}
