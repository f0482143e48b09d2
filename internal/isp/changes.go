package isp

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/store"
)

// The changes queue: CoA and Disconnect requests billing wants sent to the
// routers, written in the transaction that decides them (a subscription
// expires, runs out of data, is paid out of the walled garden, changes
// plan or crosses its fair-use threshold). The RADIUS server claims them
// (ClaimChanges), sends them and records what came back (RecordChange).
// A Disconnect the router acknowledged is confirmed by the session's
// Accounting-Stop: an ACK alone does not prove the user went offline, so
// one whose session is still open a while later is sent again.

// Change states.
const (
	ChangePending = "pending" // to send (again)
	ChangeAcked   = "acked"   // a Disconnect the router acknowledged; waiting for its Stop
	ChangeDone    = "done"
	ChangeFailed  = "failed" // gave up after MaxChangeAttempts
)

// MaxChangeAttempts is how often a change is sent before it is given up.
const MaxChangeAttempts = 6

// claimFor is how long a claimed change is the claimer's: if the server
// does not record its result by then, another may send it.
const claimFor = 30 * time.Second

// confirmWithin is how long an acknowledged Disconnect waits for the
// session's Stop before it is sent again.
const confirmWithin = 2 * time.Minute

// ClaimedChange is a change for the server to send; ID goes back with its
// result.
type ClaimedChange struct {
	ID      string
	Attempt int // 1 for the first send
	Reason  string
	radius.Change
}

// ChangeResult is what came of sending a change.
type ChangeResult struct {
	ACK bool // Disconnect-ACK or CoA-ACK
	// ErrorCause is a NAK's Error-Cause (RFC 5176); 503 (Session-Context-
	// Not-Found) means the session is gone, which ends a Disconnect too.
	ErrorCause int
	// Err is set when no answer came, or the request could not be sent.
	Err error
}

// SessionNotFound is the Error-Cause of a NAK for a session the router no
// longer has.
const SessionNotFound = 503

// disconnectAll queues a Disconnect for every open session of a
// subscriber but the one named except. A session with one pending already
// gets no second.
func (s *Service) disconnectAll(tx *store.Tx, subscriberID, except, reason string) error {
	return s.queueChanges(tx, subscriberID, except, true, RateLimit{}, reason)
}

// changeSpeed queues a CoA with a new rate for a subscriber's open
// sessions, but the one named except (whose server gets the new rate in
// the accounting answer itself).
func (s *Service) changeSpeed(tx *store.Tx, subscriberID string, rate RateLimit, except, reason string) error {
	return s.queueChanges(tx, subscriberID, except, false, rate, reason)
}

func (s *Service) queueChanges(tx *store.Tx, subscriberID, except string, disconnect bool, rate RateLimit, reason string) error {
	rows, err := tx.Query(`SELECT id, nas_id, username, session_id, framed_ip FROM isp_sessions WHERE subscriber_id = $1 AND stopped_at IS NULL AND id <> $2`,
		subscriberID, except)
	if err != nil {
		return fmt.Errorf("open sessions of %s: %w", subscriberID, err)
	}
	type open struct{ key, nas, user, session, ip string }
	var sessions []open
	for rows.Next() {
		var o open
		if err := rows.Scan(&o.key, &o.nas, &o.user, &o.session, &o.ip); err != nil {
			rows.Close()
			return err
		}
		sessions = append(sessions, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range sessions {
		conflict := ""
		if disconnect {
			conflict = ` ON CONFLICT DO NOTHING` // one pending Disconnect a session
		}
		if _, err := tx.Exec(`INSERT INTO isp_changes (id, nas_id, session_key, username, session_id, framed_ip, disconnect, rate_limit, reason, state, next_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $10)`+conflict,
			uuid.Must(uuid.NewV7()).String(), o.nas, o.key, o.user, o.session, o.ip, boolInt(disconnect), rate.String(), store.Truncate(reason, 200),
			store.Micros(tx.Now)); err != nil {
			return fmt.Errorf("queue change for session %s: %w", o.session, err)
		}
	}
	return nil
}

// ClaimChanges claims up to n changes due to be sent, oldest first, for
// claimFor; several servers may claim at once without taking the same.
func (s *Service) ClaimChanges(ctx context.Context, n int) ([]ClaimedChange, error) {
	if n <= 0 {
		return nil, nil
	}
	return inTx(ctx, s.DB, func(tx *store.Tx) ([]ClaimedChange, error) {
		now := store.Micros(tx.Now)
		rows, err := tx.Query(`SELECT id, nas_id, username, session_id, framed_ip, disconnect, rate_limit, address_list, reason, attempts FROM isp_changes
			WHERE state = 'pending' AND next_at <= $1 AND claimed_until <= $1 ORDER BY created_at, id LIMIT $2 `+tx.SkipLocked(), now, n)
		if err != nil {
			return nil, fmt.Errorf("claim changes: %w", err)
		}
		var out []ClaimedChange
		var nasIDs []string
		for rows.Next() {
			var c ClaimedChange
			var ip string
			var disc int
			if err := rows.Scan(&c.ID, &c.NAS.ID, &c.Username, &c.SessionID, &ip, &disc, &c.RateLimit, &c.AddressList, &c.Reason, &c.Attempt); err != nil {
				rows.Close()
				return nil, err
			}
			c.Disconnect, c.Attempt = disc != 0, c.Attempt+1
			c.FramedIP, _ = netip.ParseAddr(ip)
			out = append(out, c)
			nasIDs = append(nasIDs, c.NAS.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		nases, err := s.nasByIDs(ctx, tx, nasIDs)
		if err != nil {
			return nil, err
		}
		kept := out[:0]
		for _, c := range out {
			nas, ok := nases[c.NAS.ID]
			if !ok {
				// The router was removed: there is nobody to tell.
				if err := finishChange(tx, c.ID, ChangeFailed, "the router is no longer listed"); err != nil {
					return nil, err
				}
				continue
			}
			if _, err := tx.Exec(`UPDATE isp_changes SET attempts = attempts + 1, claimed_until = $2 WHERE id = $1`, c.ID, store.Micros(tx.Now.Add(claimFor))); err != nil {
				return nil, fmt.Errorf("claim change %s: %w", c.ID, err)
			}
			c.NAS = nas
			kept = append(kept, c)
		}
		return kept, nil
	})
}

// RecordChange records what came of sending change id. A change that was
// neither acknowledged nor found pointless is sent again later, backing
// off, up to MaxChangeAttempts times.
func (s *Service) RecordChange(ctx context.Context, id string, res ChangeResult) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		var state string
		var attempts, disc int
		err := tx.QueryRow(`SELECT state, attempts, disconnect FROM isp_changes WHERE id = $1 `+tx.ForUpdate(), id).Scan(&state, &attempts, &disc)
		if err != nil {
			return store.NotFound(err, "change "+id)
		}
		if state != ChangePending {
			return nil // a late or repeated answer
		}
		switch {
		case res.ACK && disc != 0:
			_, err = tx.Exec(`UPDATE isp_changes SET state = 'acked', last_result = 'ack', claimed_until = 0, done_at = $2 WHERE id = $1`, id, store.Micros(tx.Now))
			return err
		case res.ACK:
			return finishChange(tx, id, ChangeDone, "ack")
		case res.ErrorCause == SessionNotFound:
			return finishChange(tx, id, ChangeDone, "nak 503: the router has no such session")
		}
		result := "no answer"
		switch {
		case res.Err != nil:
			result = res.Err.Error()
		case res.ErrorCause != 0:
			result = fmt.Sprintf("nak %d", res.ErrorCause)
		}
		if attempts >= MaxChangeAttempts {
			return finishChange(tx, id, ChangeFailed, result)
		}
		backoff := time.Duration(5<<min(attempts, 8)) * time.Second
		_, err = tx.Exec(`UPDATE isp_changes SET last_result = $2, claimed_until = 0, next_at = $3 WHERE id = $1`, id, store.Truncate(result, 200), store.Micros(tx.Now.Add(backoff)))
		return err
	})
}

func finishChange(tx *store.Tx, id, state, result string) error {
	_, err := tx.Exec(`UPDATE isp_changes SET state = $2, last_result = $3, claimed_until = 0, done_at = $4 WHERE id = $1`, id, state, store.Truncate(result, 200), store.Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("change %s: %w", id, err)
	}
	return nil
}

// confirmDisconnects settles the Disconnects routers acknowledged a while
// ago: done when the session has stopped, sent again when it has not
// (unless another is pending for it, or the attempts are spent).
func (s *Service) confirmDisconnects(ctx context.Context, now time.Time) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		cutoff := store.Micros(now.Add(-confirmWithin))
		if _, err := tx.Exec(`UPDATE isp_changes SET state = 'done', last_result = 'ack; the session stopped'
			WHERE state = 'acked' AND done_at < $1 AND NOT EXISTS (SELECT 1 FROM isp_sessions x WHERE x.id = isp_changes.session_key AND x.stopped_at IS NULL)`, cutoff); err != nil {
			return fmt.Errorf("confirm disconnects: %w", err)
		}
		if _, err := tx.Exec(`UPDATE isp_changes SET state = 'failed', last_result = 'ack, but the session did not stop'
			WHERE state = 'acked' AND done_at < $1 AND (attempts >= $2 OR EXISTS (SELECT 1 FROM isp_changes o WHERE o.session_key = isp_changes.session_key AND o.state = 'pending' AND o.disconnect = 1))`,
			cutoff, MaxChangeAttempts); err != nil {
			return fmt.Errorf("confirm disconnects: %w", err)
		}
		if _, err := tx.Exec(`UPDATE isp_changes SET state = 'pending', last_result = 'ack, but the session did not stop: sent again', next_at = $2, done_at = NULL
			WHERE state = 'acked' AND done_at < $1`, cutoff, store.Micros(now)); err != nil {
			return fmt.Errorf("confirm disconnects: %w", err)
		}
		return nil
	})
}

// Changes counts the queue by state, for metrics and the staff pages.
func (s *Service) Changes(ctx context.Context) (map[string]int, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT state, count(*) FROM isp_changes GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}
