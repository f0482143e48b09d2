package isp

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// Session is a RADIUS accounting session as staff see it: who, on which
// router, from which address, since when, and what it has moved.
type Session struct {
	Key            string // ours: the router's and its Acct-Session-Id, made one
	NASID          string
	SessionID      string // the router's Acct-Session-Id
	Username       string
	SubscriberID   string
	SubscriptionID string
	FramedIP       string
	CallingStation string // the device's MAC address, as the router sends it
	StartedAt      time.Time
	LastAt         time.Time // the last packet heard: Start, Interim or Stop
	StoppedAt      time.Time // zero while open
	InputBytes     int64
	OutputBytes    int64
	Time           time.Duration // online, as the router counts it
	Interim        time.Duration
	TerminateCause string
	// Stale marks an open session not heard of for more than two interim
	// intervals: its router has likely gone without a Stop, and the sweep
	// closes it after three.
	Stale bool
}

// MaxSessions bounds a list of sessions on a page.
const MaxSessions = 500

// OnlineSessions returns the open sessions, newest first, at most limit
// (at most MaxSessions), with the stale ones marked as of the database
// clock's now; and how many are open in all.
func (s *Service) OnlineSessions(ctx context.Context, limit int) ([]Session, int, error) {
	var total int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM isp_sessions WHERE stopped_at IS NULL`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("online sessions: %w", err)
	}
	out, err := s.sessions(ctx, `stopped_at IS NULL ORDER BY started_at DESC, id`, limit)
	return out, total, err
}

// SessionsOf returns a subscriber's newest sessions, open and closed.
func (s *Service) SessionsOf(ctx context.Context, subscriberID string, limit int) ([]Session, error) {
	return s.sessions(ctx, `subscriber_id = $1 ORDER BY started_at DESC, id`, limit, subscriberID)
}

func (s *Service) sessions(ctx context.Context, where string, limit int, args ...any) ([]Session, error) {
	if limit <= 0 || limit > MaxSessions {
		limit = MaxSessions
	}
	args = append(args, limit)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+sessionColumns+` FROM isp_sessions WHERE `+where+fmt.Sprintf(` LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	defer rows.Close()
	now := s.now()
	var out []Session
	for rows.Next() {
		var x Session
		var started, last, secs, interim int64
		var stopped sql.NullInt64
		if err := rows.Scan(&x.Key, &x.NASID, &x.SessionID, &x.Username, &x.SubscriberID, &x.SubscriptionID, &x.FramedIP, &x.CallingStation, &started, &last, &stopped,
			&x.InputBytes, &x.OutputBytes, &secs, &interim, &x.TerminateCause); err != nil {
			return nil, fmt.Errorf("sessions: %w", err)
		}
		x.StartedAt, x.LastAt, x.StoppedAt = store.Time(started), store.Time(last), store.NullTime(stopped)
		x.Time, x.Interim = dur2(secs), dur2(interim)
		x.Stale = x.StoppedAt.IsZero() && now.Sub(x.LastAt) > 2*x.Interim
		out = append(out, x)
	}
	return out, rows.Err()
}

// DisconnectSession has the router end one open session now (staff: a
// device that should not be on, a stuck login); the user may log in again
// and is decided afresh. by names who asked, reason says why.
func (s *Service) DisconnectSession(ctx context.Context, key, by, reason string) error {
	if reason == "" {
		return ErrReason
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		var o openSession
		var stopped sql.NullInt64
		err := tx.QueryRow(`SELECT id, nas_id, username, session_id, framed_ip, stopped_at FROM isp_sessions WHERE id = $1`, key).
			Scan(&o.key, &o.nas, &o.user, &o.session, &o.ip, &stopped)
		if err != nil {
			return store.NotFound(err, "session "+key)
		}
		if stopped.Valid {
			return fmt.Errorf("session %s has ended already: %w", o.session, ErrState)
		}
		if err := queueChange(tx, o, true, RateLimit{}, reason); err != nil {
			return err
		}
		return payment.Audit(tx, by, "isp.disconnect", key, o.user+": "+reason)
	})
}

// Disconnect has the routers end every open session of a subscriber now.
func (s *Service) Disconnect(ctx context.Context, subscriberID, by, reason string) error {
	if reason == "" {
		return ErrReason
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := s.disconnectAll(tx, subscriberID, "", reason); err != nil {
			return err
		}
		return payment.Audit(tx, by, "isp.disconnect", subscriberID, reason)
	})
}
