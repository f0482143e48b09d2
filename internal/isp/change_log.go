package isp

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// Change is one CoA or Disconnect request to a router, with what became
// of it: staff see whether a router was told, and what it answered.
type Change struct {
	ID         string
	NASID      string
	SessionID  string
	Disconnect bool   // else a CoA
	RateLimit  string // a CoA's new speed
	Reason     string
	State      string // ChangePending, ChangeAcked, ChangeDone or ChangeFailed
	Attempts   int
	LastResult string
	CreatedAt  time.Time
	DoneAt     time.Time // zero while pending
}

// ChangesOf returns the newest changes sent for a username's sessions.
func (s *Service) ChangesOf(ctx context.Context, username string, limit int) ([]Change, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, nas_id, session_id, disconnect, rate_limit, reason, state, attempts, last_result, created_at, done_at
		FROM isp_changes WHERE username = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, username, limit)
	if err != nil {
		return nil, fmt.Errorf("changes of %s: %w", username, err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var disc int
		var created int64
		var done sql.NullInt64
		if err := rows.Scan(&c.ID, &c.NASID, &c.SessionID, &disc, &c.RateLimit, &c.Reason, &c.State, &c.Attempts, &c.LastResult, &created, &done); err != nil {
			return nil, fmt.Errorf("changes of %s: %w", username, err)
		}
		c.Disconnect, c.CreatedAt, c.DoneAt = disc != 0, store.Time(created), store.NullTime(done)
		out = append(out, c)
	}
	return out, rows.Err()
}
