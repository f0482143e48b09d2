package agent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// IsAgent reports whether msisdn belongs to an active agent user, for the
// USSD menu to offer the agent entry.
func IsAgent(ctx context.Context, q Querier, msisdn string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM agent_users u JOIN agent_outlets o ON o.id = u.outlet_id
		WHERE u.msisdn = $1 AND u.status = 'active' AND o.status = 'active'`, msisdn).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("agent user of phone: %w", err)
	}
	return n > 0, nil
}

// SignIn checks the PIN of the agent user of msisdn. MaxTries wrong PINs in
// a row lock the user for Lockout; while locked even the right PIN is
// refused, so that guessing costs the guesser time. Each try is counted in
// the database, so the limit holds across nodes, and audited.
func (s *Service) SignIn(ctx context.Context, msisdn, pin string) (User, error) {
	u, hash, _, err := s.load(ctx, msisdn)
	if errors.Is(err, ErrNotAgent) {
		// As long as a wrong PIN takes, so that the answer's time does not
		// tell who is an agent.
		staff.CheckSecret(decoyHash(), pin)
	}
	if err != nil {
		return User{}, err
	}
	// The hash is checked outside the transaction: it takes tens of ms.
	ok := checkPIN(pin) == nil && staff.CheckSecret(hash, pin)
	var outcome error
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		outcome = nil
		now := store.Micros(tx.Now)
		var until int64
		if err := tx.QueryRow(`SELECT locked_until FROM agent_users WHERE id = $1 `+tx.ForUpdate(), u.ID).Scan(&until); err != nil {
			return fmt.Errorf("agent sign-in: %w", err)
		}
		switch {
		case until > now:
			outcome = ErrLocked
		case ok:
			if _, err := tx.Exec(`UPDATE agent_users SET failed = 0 WHERE id = $1`, u.ID); err != nil {
				return fmt.Errorf("agent sign-in: %w", err)
			}
		default:
			outcome = ErrBadPIN
			lock := int64(0)
			if _, err := tx.Exec(`UPDATE agent_users SET failed = failed + 1 WHERE id = $1`, u.ID); err != nil {
				return fmt.Errorf("agent sign-in: %w", err)
			}
			var n int
			if err := tx.QueryRow(`SELECT failed FROM agent_users WHERE id = $1`, u.ID).Scan(&n); err != nil {
				return fmt.Errorf("agent sign-in: %w", err)
			}
			if n >= s.maxTries() {
				lock = store.Micros(tx.Now.Add(s.lockout()))
				outcome = ErrLocked
				if _, err := tx.Exec(`UPDATE agent_users SET failed = 0, locked_until = $2 WHERE id = $1`, u.ID, lock); err != nil {
					return fmt.Errorf("agent sign-in: %w", err)
				}
			}
		}
		detail := "ok"
		if outcome != nil {
			detail = outcome.Error()
		}
		return audit(tx, u, "agent.sign_in", "agent:"+u.ID, detail)
	})
	if err != nil {
		return User{}, err
	}
	if outcome != nil {
		return User{}, outcome
	}
	return u, nil
}

// Check checks the PIN of the agent user of msisdn without counting a
// wrong one or auditing: for a PIN already checked once, such as one in a
// USSD path that the menu replays on every request. A locked user is
// refused.
func (s *Service) Check(ctx context.Context, msisdn, pin string) (User, error) {
	u, hash, lockedUntil, err := s.load(ctx, msisdn)
	if err != nil {
		return User{}, err
	}
	if lockedUntil > store.Micros(s.DB.Now()) {
		return User{}, ErrLocked
	}
	if checkPIN(pin) != nil || !staff.CheckSecret(hash, pin) {
		return User{}, ErrBadPIN
	}
	return u, nil
}

func (s *Service) load(ctx context.Context, msisdn string) (u User, hash string, lockedUntil int64, err error) {
	err = s.DB.Read().QueryRowContext(ctx, `SELECT u.id, u.outlet_id, u.name, u.msisdn, u.pin_hash, u.locked_until
		FROM agent_users u JOIN agent_outlets o ON o.id = u.outlet_id
		WHERE u.msisdn = $1 AND u.status = 'active' AND o.status = 'active'`, msisdn).
		Scan(&u.ID, &u.OutletID, &u.Name, &u.MSISDN, &hash, &lockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", 0, ErrNotAgent
	}
	if err != nil {
		return User{}, "", 0, fmt.Errorf("agent sign-in: %w", err)
	}
	return u, hash, lockedUntil, nil
}

// decoyHash is a hash no PIN matches (of a random secret, thrown away),
// checked for phones that are no agent's; made on first use.
var decoyHash = sync.OnceValue(func() string {
	pin, err := NewPIN()
	if err != nil {
		panic(err)
	}
	h, err := staff.HashSecret(pin + "-decoy")
	if err != nil {
		panic(err)
	}
	return h
})

// userByID loads an active user in tx.
func userByID(tx *store.Tx, id string) (User, error) {
	var u User
	err := tx.QueryRow(`SELECT u.id, u.outlet_id, u.name, u.msisdn FROM agent_users u JOIN agent_outlets o ON o.id = u.outlet_id
		WHERE u.id = $1 AND u.status = 'active' AND o.status = 'active'`, id).Scan(&u.ID, &u.OutletID, &u.Name, &u.MSISDN)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotAgent
	}
	if err != nil {
		return User{}, fmt.Errorf("agent user %s: %w", id, err)
	}
	return u, nil
}
