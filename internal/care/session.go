package care

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// USSDSession is one dial of the USSD code, as the gateway's end-of-session
// notification tells it: care sees what the caller tried and where they
// gave up.
type USSDSession struct {
	SessionID string
	MSISDN    string
	Status    string // Success, Incomplete, Failed
	Input     string // the whole path typed
	Hops      int
	Duration  time.Duration
	Error     string
	At        time.Time
}

// RecordUSSDSession keeps a session's notification once (the gateway may
// send it again).
func RecordUSSDSession(ctx context.Context, db *store.DB, s USSDSession) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		at := s.At
		if at.IsZero() {
			at = tx.Now
		}
		_, err := tx.Exec(`INSERT INTO ussd_sessions (id, session_id, msisdn, status, input, hops, duration_ms, error, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (session_id) DO NOTHING`,
			uuid.Must(uuid.NewV7()).String(), store.Truncate(s.SessionID, 128), s.MSISDN, store.Truncate(s.Status, 20), store.Truncate(s.Input, 200),
			s.Hops, s.Duration.Milliseconds(), store.Truncate(s.Error, 200), store.Micros(at))
		if err != nil {
			return fmt.Errorf("record ussd session: %w", err)
		}
		return nil
	})
}

// USSDSessions returns the newest sessions of the phones.
func USSDSessions(ctx context.Context, db *store.DB, phones []string, limit int) ([]USSDSession, error) {
	if len(phones) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(phones)+1)
	for _, p := range phones {
		args = append(args, p)
	}
	args = append(args, limit)
	rows, err := db.Read().QueryContext(ctx, `SELECT session_id, msisdn, status, input, hops, duration_ms, error, at FROM ussd_sessions
		WHERE msisdn IN (`+store.Placeholders(1, len(phones))+`) ORDER BY at DESC LIMIT $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("ussd sessions: %w", err)
	}
	defer rows.Close()
	var out []USSDSession
	for rows.Next() {
		var s USSDSession
		var ms, at int64
		if err := rows.Scan(&s.SessionID, &s.MSISDN, &s.Status, &s.Input, &s.Hops, &ms, &s.Error, &at); err != nil {
			return nil, err
		}
		s.Duration, s.At = time.Duration(ms)*time.Millisecond, store.Time(at)
		out = append(out, s)
	}
	return out, rows.Err()
}
