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

// The changes queue (radius.ChangeQueue): CoA and Disconnect requests
// billing wants sent to the routers, written in the transaction that
// decides them (a subscription expires, runs out of data, is paid out of
// the walled garden, changes plan or crosses its fair-use threshold). The
// RADIUS server claims them (ClaimChanges), sends them and records every
// attempt (RecordChange). A Disconnect the router acknowledged is
// confirmed by the session's Accounting-Stop: an ACK alone does not prove
// the user went offline, so one whose session is still open a while later
// is sent again.

var _ radius.ChangeQueue = (*Service)(nil)

// Change states.
const (
	ChangePending = "pending" // to send (again)
	ChangeAcked   = "acked"   // a Disconnect the router acknowledged; waiting for its Stop
	ChangeDone    = "done"
	ChangeFailed  = "failed" // gave up after MaxChangeAttempts
)

// MaxChangeAttempts is how many times a change is claimed and sent (each
// with the server's own retransmissions) before it is given up.
const MaxChangeAttempts = 6

// claimFor is how long a claimed change is the claimer's: if the server
// records no attempt in that time (it stopped), another may send it. The
// server's retransmissions of one send take 15 s by default, each
// attempt recorded, each extending the claim.
const claimFor = 30 * time.Second

// confirmWithin is how long an acknowledged Disconnect waits for the
// session's Stop before it is sent again.
const confirmWithin = 2 * time.Minute

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
	var sessions []openSession
	for rows.Next() {
		var o openSession
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
		if err := queueChange(tx, o, disconnect, rate, reason); err != nil {
			return err
		}
	}
	return nil
}

// openSession is an open session as a change names it.
type openSession struct{ key, nas, user, session, ip string }

// queueChange queues one CoA (rate) or Disconnect for session o.
func queueChange(tx *store.Tx, o openSession, disconnect bool, rate RateLimit, reason string) error {
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
	return nil
}

// ClaimChanges claims up to n changes due to be sent, oldest first, for
// claimFor; several servers may claim at once without taking the same.
func (s *Service) ClaimChanges(ctx context.Context, n int) ([]radius.QueuedChange, error) {
	if n <= 0 {
		return nil, nil
	}
	return inTx(ctx, s.DB, func(tx *store.Tx) ([]radius.QueuedChange, error) {
		now := store.Micros(tx.Now)
		rows, err := tx.Query(`SELECT c.id, c.nas_id, c.username, c.session_id, c.framed_ip, c.disconnect, c.rate_limit, c.address_list,
				COALESCE((SELECT 1 FROM isp_sessions x WHERE x.id = c.session_key AND x.stopped_at IS NOT NULL), 0)
			FROM isp_changes c WHERE c.state = 'pending' AND c.next_at <= $1 AND c.claimed_until <= $1 ORDER BY c.created_at, c.id LIMIT $2 `+tx.SkipLocked(), now, n)
		if err != nil {
			return nil, fmt.Errorf("claim changes: %w", err)
		}
		var out []radius.QueuedChange
		var nasIDs, ended []string
		for rows.Next() {
			var c radius.QueuedChange
			var ip string
			var disc, stopped int
			if err := rows.Scan(&c.ID, &c.NAS.ID, &c.Username, &c.SessionID, &ip, &disc, &c.RateLimit, &c.AddressList, &stopped); err != nil {
				rows.Close()
				return nil, err
			}
			if stopped != 0 {
				ended = append(ended, c.ID)
				continue
			}
			c.Disconnect = disc != 0
			c.FramedIP, _ = netip.ParseAddr(ip)
			out = append(out, c)
			nasIDs = append(nasIDs, c.NAS.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		// A session that ended before its change was sent needs none.
		for _, id := range ended {
			if err := finishChange(tx, id, ChangeDone, "the session ended before it was sent"); err != nil {
				return nil, err
			}
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

// RecordChange records one attempt at change id. An attempt the server
// will make again (a timeout, not Final) keeps the change claimed. A Final
// one settles it: an ACK ends a CoA (a Disconnect then waits for its
// session's Stop); a NAK saying the session is gone ends either; a NAK
// for want of resources, or no answer at all, has it sent again later,
// backing off, up to MaxChangeAttempts times; anything else (a request
// the router refuses, or one that could not be made) is given up.
func (s *Service) RecordChange(ctx context.Context, id string, res radius.ChangeResult) error {
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
		result := string(res.Outcome)
		switch {
		case res.Err != "":
			result += ": " + res.Err
		case res.ErrorCause != 0:
			result += fmt.Sprintf(" %d", res.ErrorCause)
		}
		result = fmt.Sprintf("attempt %d: %s", res.Attempt, result)
		if !res.Final {
			_, err := tx.Exec(`UPDATE isp_changes SET last_result = $2, claimed_until = $3 WHERE id = $1`, id, store.Truncate(result, 200), store.Micros(tx.Now.Add(claimFor)))
			return err
		}
		switch {
		case res.Outcome == radius.ChangeACK && disc != 0:
			_, err = tx.Exec(`UPDATE isp_changes SET state = 'acked', last_result = $2, claimed_until = 0, done_at = $3 WHERE id = $1`, id, result, store.Micros(tx.Now))
			return err
		case res.Outcome == radius.ChangeACK:
			return finishChange(tx, id, ChangeDone, result)
		case res.Outcome == radius.ChangeNAK && res.ErrorCause == radius.ErrorCauseSessionContextNotFound:
			return finishChange(tx, id, ChangeDone, result+": the router has no such session")
		case res.Outcome == radius.ChangeTimeout, res.Outcome == radius.ChangeNAK && res.ErrorCause == radius.ErrorCauseResourcesUnavailable:
		default:
			return finishChange(tx, id, ChangeFailed, result)
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
	return s.countByState(ctx, "isp_changes")
}
