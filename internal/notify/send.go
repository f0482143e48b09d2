package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// errInterrupted is the outcome of a send whose node stopped before it
// recorded the answer.
var errInterrupted = fmt.Errorf("send interrupted: %w", sms.ErrUnknownOutcome)

// outcome is what became of one claimed message.
type outcome struct {
	route    string
	provider string
	err      error
	// skipped: not sent on any route (no route free, the claim running
	// out, shutdown); the message goes back to the queue as it was.
	skipped bool
}

// sendAll sends a claimed batch, Concurrency at a time.
func (w *Worker) sendAll(ctx context.Context, c claimed) []outcome {
	out := make([]outcome, len(c.msgs))
	conc := w.Concurrency
	if conc <= 0 {
		conc = len(c.msgs)
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i := range c.msgs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = w.send(ctx, c.msgs[i], c)
		}()
	}
	wg.Wait()
	return out
}

// send tries m's routes in order of health. A route that provably did not
// take the message (temporary failure, throttled, cannot bind) hands it to
// the next. One that may have taken it (sms.ErrUnknownOutcome) ends the
// attempt: m is never sent twice on a route unless the first try provably
// failed. Before a send goes on another route than the one the claim
// named, that route is written down, so a crash cannot hide it.
func (w *Worker) send(ctx context.Context, m Message, c claimed) outcome {
	prio := Priority(m.Lane)
	current := m.sendingRoute
	plan, _ := candidates(w.routes, m, w.now())
	var last outcome
	tried := false
	give := func() outcome {
		if tried {
			return last
		}
		return outcome{skipped: true}
	}
	for _, r := range plan {
		ok, probe := r.tryUse(w.now())
		if !ok {
			continue
		}
		if err := r.gate.acquire(ctx, prio); err != nil {
			if probe {
				r.unprobe()
			}
			return give()
		}
		if r.pace.wait(ctx, prio) != nil || time.Now().After(c.deadline) {
			r.gate.release(prio)
			if probe {
				r.unprobe()
			}
			return give()
		}
		if r.Name != current {
			if err := w.moveSend(ctx, m.ID, c.stamp, r.Name); err != nil {
				r.gate.release(prio)
				if probe {
					r.unprobe()
				}
				w.Log.Warn("not sending", "id", m.ID, "err", err)
				return give()
			}
			current = r.Name
		}
		// A send under way is let finish when the node stops: its
		// answer is worth more than a quick exit.
		res, err := r.Sender.Send(context.WithoutCancel(ctx), sms.Message{ID: m.ID, To: m.Recipient, From: w.From, Text: m.Body})
		r.gate.release(prio)
		w.Metrics.submit(r.Name, err)
		if err == nil {
			r.succeeded()
			o := outcome{route: r.Name}
			if len(res.ProviderIDs) > 0 {
				o.provider = res.ProviderIDs[0]
			}
			return o
		}
		last, tried = outcome{route: r.Name, err: err}, true
		if len(res.ProviderIDs) > 0 {
			// A long message failed after its first parts went out: the
			// handset has part of it, so it is not sent again; its first
			// part's receipt can still settle it.
			last.provider = res.ProviderIDs[0]
			last.err = fmt.Errorf("%d of %d parts sent: %w (%w)", len(res.ProviderIDs), res.Parts, sms.ErrUnknownOutcome, err)
			if !errors.Is(err, sms.ErrPermanent) {
				w.routeFailed(r, err)
			}
			return last
		}
		switch {
		case errors.Is(err, sms.ErrPermanent):
			// The route answered: it works; the message is at fault.
			r.succeeded()
			return last
		case errors.Is(err, sms.ErrUnknownOutcome):
			w.routeFailed(r, err)
			return last
		case errors.Is(err, sms.ErrThrottled):
			// Busy, not broken: the route slows itself down.
			if probe {
				r.unprobe()
			}
		default:
			w.routeFailed(r, err)
		}
	}
	return give()
}

func (w *Worker) routeFailed(r *route, err error) {
	if r.failed(w.now(), w.circuit(), err) {
		w.Log.Warn("SMS route failing: other routes take its traffic", "route", r.Name, "err", err)
	}
}

// moveSend writes down that m's send moves to another route, if this
// node still holds m's claim.
func (w *Worker) moveSend(ctx context.Context, id string, stamp int64, route string) error {
	return w.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`UPDATE messages SET sending_route = $3 WHERE id = $1 AND claimed_until = $2`, id, stamp, route)
		if err != nil {
			return fmt.Errorf("move send of %s to %s: %w", id, route, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("move send of %s to %s: claim lost to another node", id, route)
		}
		return nil
	})
}

// record writes the outcomes of a batch in one transaction and applies
// the receipts that arrived before it.
func (w *Worker) record(c claimed, res []outcome) error {
	// Not the loop's context: outcomes are recorded even as the node stops.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var applied []appliedReceipt
	var failed []Message
	err := w.DB.InTx(ctx, func(tx *store.Tx) error {
		applied, failed = nil, nil
		now := store.Micros(tx.Now)
		st := newStmts(tx)
		defer st.Close()
		var providers []string
		var released []any
		submitted := map[string][]any{} // route → id, provider id, ...
		for i, m := range c.msgs {
			o := res[i]
			var err error
			switch {
			case o.skipped:
				released = append(released, m.ID)
			case o.err == nil:
				submitted[o.route] = append(submitted[o.route], m.ID, o.provider)
				if o.provider != "" {
					providers = append(providers, o.provider)
				}
			case errors.Is(o.err, sms.ErrUnknownOutcome):
				// It may have gone out: count it as submitted. No receipt
				// can match it; for a token the watchdog sends a notice
				// by another route.
				_, err = st.Exec(`UPDATE messages SET state = 'submitted', route = $2, provider_id = $6, attempts = attempts + 1, submitted_at = $3,
					claimed_until = 0, sending_route = '', last_error = $4, `+withhold+` WHERE id = $1 AND claimed_until = $5`,
					m.ID, o.route, now, truncate(o.err.Error()), c.stamp, o.provider)
				if o.provider != "" {
					providers = append(providers, o.provider)
				}
			case errors.Is(o.err, sms.ErrPermanent) || (w.MaxAttempts > 0 && m.Attempts+1 >= w.MaxAttempts):
				_, err = st.Exec(`UPDATE messages SET state = 'failed', route = $2, attempts = attempts + 1, finished_at = $3,
					claimed_until = 0, sending_route = '', last_error = $4, `+withhold+` WHERE id = $1 AND claimed_until = $5`,
					m.ID, o.route, now, truncate(o.err.Error()), c.stamp)
				failed = append(failed, m)
			default:
				_, err = st.Exec(`UPDATE messages SET attempts = attempts + 1, next_attempt_at = $2, claimed_until = 0,
					sending_route = '', last_error = $3 WHERE id = $1 AND claimed_until = $4`,
					m.ID, now+w.backoff(m.Attempts).Microseconds(), truncate(o.err.Error()), c.stamp)
			}
			if err != nil {
				return fmt.Errorf("record send of %s: %w", m.ID, err)
			}
		}
		for route, pairs := range submitted {
			if err := recordSubmitted(tx, route, now, c.stamp, pairs); err != nil {
				return err
			}
		}
		if len(released) > 0 {
			if _, err := tx.Exec(`UPDATE messages SET claimed_until = 0, sending_route = '' WHERE claimed_until = $1 AND id IN (`+
				store.Placeholders(2, len(released))+`)`, append([]any{c.stamp}, released...)...); err != nil {
				return fmt.Errorf("release unsent messages: %w", err)
			}
		}
		var err error
		applied, err = applyParked(tx, st, providers)
		return err
	})
	if err != nil {
		return err
	}
	// Released messages keep their place in the queue, which is behind
	// this node's front: its next claim of their lane sweeps.
	for i, m := range c.msgs {
		if res[i].skipped {
			w.front(m.Lane).Reset()
		}
	}
	for _, m := range failed {
		w.Log.Warn("message failed", "id", m.ID, "lane", m.Lane, "to", phone.Mask(m.Recipient))
	}
	for _, a := range applied {
		w.Metrics.receipt(a)
	}
	return nil
}

// submittedRun is the most messages one UPDATE records as submitted.
const submittedRun = 128

// recordSubmitted records the messages a route took, as pairs of message
// id and provider id, a run of them to an UPDATE: one statement a message
// was most of the record's time on both engines (on PostgreSQL a round
// trip each, 100,000 a run of as many vends). The claim may have run out
// during a long send and another node settled the message as unknown: the
// answer still belongs to it, so such a message is recorded too.
// Parameters appear once each, in order, so that SQLite binds them by
// position (see store.sqliteParams).
func recordSubmitted(tx *store.Tx, route string, now, stamp int64, pairs []any) error {
	for _, n := range store.Runs(len(pairs)/2, submittedRun) {
		var b strings.Builder
		b.WriteString(`UPDATE messages SET state = 'submitted', route = $1, provider_id = v.column2, attempts = attempts + 1,
			submitted_at = $2, claimed_until = 0, sending_route = '', last_error = '', ` + withhold + ` FROM (VALUES `)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(CAST($%d AS TEXT), CAST($%d AS TEXT))", 3+2*i, 4+2*i)
		}
		fmt.Fprintf(&b, `) AS v WHERE messages.id = v.column1
			AND (messages.claimed_until = $%d OR (messages.state = 'submitted' AND messages.route = $%d AND messages.provider_id = ''))`, 3+2*n, 4+2*n)
		args := make([]any, 0, 4+2*n)
		args = append(args, route, now)
		args = append(args, pairs[:2*n]...)
		args = append(args, stamp, route)
		if _, err := tx.ExecPrepared(b.String(), args...); err != nil {
			return fmt.Errorf("record %d sends on %s: %w", n, route, err)
		}
		pairs = pairs[2*n:]
	}
	return nil
}
