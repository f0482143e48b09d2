package care

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// USSDSteps keeps the answers of USSD steps that changed something in the
// database, where every node sees them: a gateway that resends a request to
// another node gets the first answer, and the step (an STK push, a fault
// report) is done once.
type USSDSteps struct{ DB *store.DB }

// ErrStepFailed is the answer to a resend of a step that failed.
var ErrStepFailed = errors.New("this step failed on its first try")

// Once runs f for key once within ttl, whichever node is asked, and gives
// every caller its answer. A caller that finds the step running waits for
// it until ctx ends.
func (s USSDSteps) Once(ctx context.Context, key string, ttl time.Duration, f func() (string, error)) (string, error) {
	sum := sha256.Sum256([]byte(key))
	k := hex.EncodeToString(sum[:])
	claimed := false
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		now := store.Micros(tx.Now)
		if rand.IntN(100) == 0 {
			if _, err := tx.Exec(`DELETE FROM ussd_steps WHERE at < $1`, now-ttl.Microseconds()); err != nil {
				return err
			}
		}
		// A claim older than ttl belongs to a session long over.
		if _, err := tx.Exec(`DELETE FROM ussd_steps WHERE key = $1 AND at < $2`, k, now-ttl.Microseconds()); err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO ussd_steps (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, k, now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	if err != nil {
		return "", fmt.Errorf("ussd step: %w", err)
	}
	if claimed {
		answer, ferr := f()
		err := s.DB.InTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			_, err := tx.Exec(`UPDATE ussd_steps SET answer = $2, failed = $3, done = 1 WHERE key = $1`, k, answer, boolInt(ferr != nil))
			return err
		})
		return answer, errors.Join(ferr, err)
	}
	for {
		var answer string
		var failed, done int
		err := s.DB.Read().QueryRowContext(ctx, `SELECT answer, failed, done FROM ussd_steps WHERE key = $1`, k).Scan(&answer, &failed, &done)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return "", fmt.Errorf("ussd step: the first try's record is gone")
		case err != nil:
			return "", fmt.Errorf("ussd step: %w", err)
		case done == 1 && failed == 1:
			return "", ErrStepFailed
		case done == 1:
			return answer, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
