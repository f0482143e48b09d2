package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// claimed is one claimed batch.
type claimed struct {
	msgs []Message
	// stamp is the claimed_until written on the batch: a record that
	// finds another value there knows another node has taken over.
	stamp int64
	// deadline is when the last send of the batch may start (this
	// node's clock): a third of the claim is kept for sends under way.
	deadline time.Time
	// handled counts messages the claim itself dealt with (expired,
	// outcome unknown after a crash, held back by the handset limit).
	handled int
	// unknown lists the routes of those crash-settled messages, for metrics.
	unknown []string
	// deferred lists the lanes of messages the handset limit held back.
	deferred []string
}

// claim takes up to n sendable messages of the lanes, most urgent lane
// first, and reserves them for this node. In the same transaction it
// expires messages past their lane's TTL, holds back messages over the
// per-handset limit, and settles messages whose last claim ran out while
// a send was under way: that send may have reached the route, so the
// message is recorded as submitted with its outcome unknown, never sent
// there again (a token message then gets the watchdog's delay notice).
func (w *Worker) claim(ctx context.Context, lanes []string, n int) (claimed, error) {
	var c claimed
	err := w.DB.InTx(ctx, func(tx *store.Tx) error {
		c = claimed{deadline: time.Now().Add(w.Claim * 2 / 3)}
		now := store.Micros(tx.Now)
		var cand []Message
		for _, lane := range lanes {
			need := n - len(cand)
			if need <= 0 {
				break
			}
			msgs, err := claimable(tx, lane, now, need, w.front(lane))
			if err != nil {
				return err
			}
			cand = append(cand, msgs...)
		}
		if len(cand) == 0 {
			return nil
		}
		sends, err := w.recentSends(tx, cand, now-w.HandsetWindow.Microseconds())
		if err != nil {
			return err
		}
		var expired []any
		byRoute := map[string][]any{}
		for _, m := range cand {
			switch {
			case w.TTL[m.Lane] > 0 && tx.Now.Sub(m.QueuedAt) > w.TTL[m.Lane]:
				expired = append(expired, m.ID)
			case m.sendingRoute != "":
				if _, err := tx.Exec(`UPDATE messages SET state = 'submitted', route = sending_route, sending_route = '', submitted_at = $2,
					claimed_until = 0, attempts = attempts + 1, last_error = $3, `+withhold+` WHERE id = $1`,
					m.ID, now, "outcome unknown: the node sending it stopped before recording the answer"); err != nil {
					return fmt.Errorf("settle interrupted send of %s: %w", m.ID, err)
				}
				c.unknown = append(c.unknown, m.sendingRoute)
			default:
				if lim := w.HandsetLimit[m.Lane]; lim > 0 {
					s := sends[m.Recipient]
					if s.n >= lim {
						next := max(s.oldest+w.HandsetWindow.Microseconds(), now+1)
						if _, err := tx.Exec(`UPDATE messages SET next_attempt_at = $2 WHERE id = $1`, m.ID, next); err != nil {
							return fmt.Errorf("defer %s: %w", m.ID, err)
						}
						c.deferred = append(c.deferred, m.Lane)
						continue
					}
					s.n++
					if s.oldest == 0 {
						s.oldest = now
					}
					sends[m.Recipient] = s
				}
				plan, _ := candidates(w.routes, m, w.now())
				if len(plan) == 0 {
					// Its routes opened since routable looked: try later.
					if _, err := tx.Exec(`UPDATE messages SET next_attempt_at = $2 WHERE id = $1`, m.ID, now+w.RetryMin.Microseconds()); err != nil {
						return fmt.Errorf("defer %s: %w", m.ID, err)
					}
					continue
				}
				byRoute[plan[0].Name] = append(byRoute[plan[0].Name], m.ID)
				// As written below: send then moves it only if it takes
				// another route (one write per message otherwise).
				m.sendingRoute = plan[0].Name
				c.msgs = append(c.msgs, m)
			}
		}
		// Deferred ones count: the next claim finds other messages.
		c.handled = len(expired) + len(c.unknown) + len(c.deferred)
		if len(expired) > 0 {
			if _, err := tx.Exec(`UPDATE messages SET state = 'expired', finished_at = $1, claimed_until = 0,
				last_error = CASE WHEN last_error = '' THEN 'not sent within its lane''s time to live' ELSE last_error END, `+withhold+`
				WHERE id IN (`+store.Placeholders(2, len(expired))+`)`, append([]any{now}, expired...)...); err != nil {
				return fmt.Errorf("expire messages: %w", err)
			}
		}
		c.stamp = now + w.Claim.Microseconds()
		for name, ids := range byRoute {
			if _, err := tx.Exec(`UPDATE messages SET claimed_until = $1, sending_route = $2 WHERE id IN (`+store.Placeholders(3, len(ids))+`)`,
				append([]any{c.stamp, name}, ids...)...); err != nil {
				return fmt.Errorf("claim messages: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return claimed{}, err
	}
	for _, r := range c.unknown {
		w.Metrics.submit(r, errInterrupted)
	}
	for _, lane := range c.deferred {
		w.Metrics.deferred(lane)
	}
	return c, nil
}

// claimable selects up to n messages of one lane that are due and not
// claimed by a live claim. PostgreSQL skips rows another node is
// claiming right now, and begins at the lane's front f.
func claimable(tx *store.Tx, lane string, now int64, n int, f *store.Front) ([]Message, error) {
	q := `SELECT ` + messageColumns + ` FROM messages
		WHERE state = 'queued' AND lane = $1 AND next_attempt_at <= $2 AND claimed_until < $2`
	args := []any{lane, now, n}
	var sweep bool
	pg := tx.Dialect == store.Postgres
	if pg {
		var from int64
		from, sweep = f.Start(tx.Now)
		q += ` AND next_attempt_at >= $4`
		args = append(args, from)
	}
	rows, err := tx.Query(q+` ORDER BY next_attempt_at LIMIT $3 `+tx.SkipLocked(), args...)
	if err != nil {
		return nil, fmt.Errorf("claim %s messages: %w", lane, err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("claim %s messages: %w", lane, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim %s messages: %w", lane, err)
	}
	if pg {
		var oldest int64
		if len(out) > 0 {
			oldest = out[0].nextAttempt
		}
		f.Advance(tx.Now, sweep, oldest, len(out), n)
	}
	return out, nil
}

type handsetSends struct {
	n      int
	oldest int64
}

// recentSends counts, per recipient of a rate-limited lane, the messages
// submitted to it since since, and the oldest of their times.
func (w *Worker) recentSends(tx *store.Tx, cand []Message, since int64) (map[string]handsetSends, error) {
	out := map[string]handsetSends{}
	args := []any{since}
	for _, m := range cand {
		if w.HandsetLimit[m.Lane] <= 0 {
			continue
		}
		if _, ok := out[m.Recipient]; !ok {
			out[m.Recipient] = handsetSends{}
			args = append(args, m.Recipient)
		}
	}
	if len(args) == 1 {
		return out, nil
	}
	rows, err := tx.Query(`SELECT recipient, count(*), min(submitted_at) FROM messages
		WHERE recipient IN (`+store.Placeholders(2, len(args)-1)+`) AND submitted_at >= $1 GROUP BY recipient`, args...)
	if err != nil {
		return nil, fmt.Errorf("count recent sends per handset: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		var s handsetSends
		if err := rows.Scan(&r, &s.n, &s.oldest); err != nil {
			return nil, fmt.Errorf("count recent sends per handset: %w", err)
		}
		out[r] = s
	}
	return out, rows.Err()
}
