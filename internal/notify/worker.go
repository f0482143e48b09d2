package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// Sender is one SMS route as the worker needs it. The SMPP client, the HTTP
// gateway client and the in-process sink satisfy it.
type Sender interface {
	Send(ctx context.Context, m sms.Message) (sms.SubmitResult, error)
}

// Route is a named sender.
type Route struct {
	Name   string
	Sender Sender
}

// Worker sends queued messages, lane by lane in priority order, so that a
// token SMS queued behind a hundred thousand bulk messages goes out next.
type Worker struct {
	DB     *store.DB
	Routes []Route // tried in order; the next takes over when one fails
	From   string  // sender ID
	Log    *slog.Logger
	// Batch is how many messages one claim takes (default 100).
	Batch int
	// Claim is how long a claimed message is reserved for this node
	// (default 30 s); a crashed node's claims return to the queue after it.
	Claim time.Duration
	// MaxAttempts before a message is marked failed (default 8).
	MaxAttempts int
	// Concurrency of sends within a batch (default 16).
	Concurrency int

	wake chan struct{}
	once sync.Once
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		if w.Batch == 0 {
			w.Batch = 100
		}
		if w.Claim == 0 {
			w.Claim = 30 * time.Second
		}
		if w.MaxAttempts == 0 {
			w.MaxAttempts = 8
		}
		if w.Concurrency == 0 {
			w.Concurrency = 16
		}
		if w.Log == nil {
			w.Log = slog.Default()
		}
	})
}

// Wake tells the worker new messages are queued.
func (w *Worker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("delivery", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// RunOnce claims and sends one batch, highest lane first, and returns how
// many messages it handled.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.init()
	msgs, err := w.claim(ctx)
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	sem := make(chan struct{}, w.Concurrency)
	var wg sync.WaitGroup
	results := make([]outcome, len(msgs))
	for i := range msgs {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = w.send(ctx, msgs[i])
		}(i)
	}
	wg.Wait()
	return len(msgs), w.record(ctx, msgs, results)
}

func (w *Worker) claim(ctx context.Context) ([]Message, error) {
	var out []Message
	err := w.DB.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		now := store.Micros(tx.Now)
		for _, lane := range Lanes {
			need := w.Batch - len(out)
			if need <= 0 {
				break
			}
			rows, err := tx.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages
				WHERE state = 'queued' AND lane = $1 AND next_attempt_at <= $2 AND claimed_until < $2
				ORDER BY next_attempt_at LIMIT $3 `+tx.SkipLocked(), lane, now, need)
			if err != nil {
				return fmt.Errorf("claim messages: %w", err)
			}
			for rows.Next() {
				m, err := scanMessage(rows)
				if err != nil {
					rows.Close()
					return fmt.Errorf("claim messages: %w", err)
				}
				out = append(out, m)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if len(out) == 0 {
			return nil
		}
		ids := make([]any, 0, len(out)+1)
		ids = append(ids, now+w.Claim.Microseconds())
		for _, m := range out {
			ids = append(ids, m.ID)
		}
		_, err := tx.Exec(`UPDATE messages SET claimed_until = $1 WHERE id IN (`+store.Placeholders(2, len(out))+`)`, ids...)
		return err
	})
	return out, err
}

type outcome struct {
	route    string
	provider string
	err      error
}

// send tries the routes in order. A route that says the outcome is unknown
// ends the attempt: trying the next route could deliver the token twice.
func (w *Worker) send(ctx context.Context, m Message) outcome {
	var last outcome
	for _, r := range w.Routes {
		res, err := r.Sender.Send(ctx, sms.Message{ID: m.ID, To: m.Recipient, From: w.From, Text: m.Body})
		if err == nil {
			id := ""
			if len(res.ProviderIDs) > 0 {
				id = res.ProviderIDs[0]
			}
			return outcome{route: r.Name, provider: id}
		}
		last = outcome{route: r.Name, err: err}
		if errors.Is(err, sms.ErrPermanent) || errors.Is(err, sms.ErrUnknownOutcome) {
			return last
		}
	}
	if len(w.Routes) == 0 {
		last.err = fmt.Errorf("%w: no SMS route configured", sms.ErrTemporary)
	}
	return last
}

func (w *Worker) record(ctx context.Context, msgs []Message, res []outcome) error {
	return w.DB.InTx(ctx, func(tx *store.Tx) error {
		now := store.Micros(tx.Now)
		for i, m := range msgs {
			o := res[i]
			var err error
			switch {
			case o.err == nil:
				_, err = tx.Exec(`UPDATE messages SET state = 'submitted', route = $2, provider_id = $3, attempts = attempts + 1, submitted_at = $4, claimed_until = 0, last_error = '' WHERE id = $1`,
					m.ID, o.route, o.provider, now)
			case errors.Is(o.err, sms.ErrUnknownOutcome):
				// It may have gone out: count it as submitted; the delivery
				// watchdog re-sends by another route if no receipt comes.
				_, err = tx.Exec(`UPDATE messages SET state = 'submitted', route = $2, attempts = attempts + 1, submitted_at = $3, claimed_until = 0, last_error = $4 WHERE id = $1`,
					m.ID, o.route, now, truncate(o.err.Error()))
			case errors.Is(o.err, sms.ErrPermanent) || m.Attempts+1 >= w.MaxAttempts:
				_, err = tx.Exec(`UPDATE messages SET state = 'failed', route = $2, attempts = attempts + 1, finished_at = $3, claimed_until = 0, last_error = $4 WHERE id = $1`,
					m.ID, o.route, now, truncate(o.err.Error()))
				w.Log.Warn("message failed", "id", m.ID, "to", phone.Mask(m.Recipient), "err", o.err)
			default:
				backoff := time.Duration(1<<min(m.Attempts, 8)) * time.Second
				_, err = tx.Exec(`UPDATE messages SET attempts = attempts + 1, next_attempt_at = $2, claimed_until = 0, last_error = $3 WHERE id = $1`,
					m.ID, now+backoff.Microseconds(), truncate(o.err.Error()))
			}
			if err != nil {
				return fmt.Errorf("record send of %s: %w", m.ID, err)
			}
		}
		return nil
	})
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return strings.ToValidUTF8(s, "?")
}

// HandleReceipt applies a delivery receipt to its message. Receipts for
// unknown ids (a later part of a long message, or another system's) are
// ignored and reported as false.
func HandleReceipt(ctx context.Context, db *store.DB, r sms.Receipt) (bool, error) {
	// ACCEPTD means the SMSC took the message on the handset's behalf:
	// not a failure, and not yet a delivery.
	if !r.State.Final() || r.State == sms.StateAccepted {
		return false, nil
	}
	var matched bool
	err := db.InTx(ctx, func(tx *store.Tx) error {
		now := store.Micros(tx.Now)
		var res interface{ RowsAffected() (int64, error) }
		var err error
		if r.State == sms.StateDelivered {
			res, err = tx.Exec(`UPDATE messages SET state = 'delivered', delivered_at = $2, finished_at = $2 WHERE provider_id = $1 AND state IN ('submitted', 'queued')`, r.ProviderID, now)
		} else {
			state := StateFailed
			if r.State == sms.StateExpired {
				state = StateExpired
			}
			res, err = tx.Exec(`UPDATE messages SET state = $3, finished_at = $2, last_error = $4 WHERE provider_id = $1 AND state = 'submitted'`, r.ProviderID, now, state, "receipt: "+r.State.String()+" "+r.ErrCode)
		}
		if err != nil {
			return fmt.Errorf("apply receipt %s: %w", r.ProviderID, err)
		}
		n, _ := res.RowsAffected()
		matched = n > 0
		return nil
	})
	return matched, err
}
