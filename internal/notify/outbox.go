package notify

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// Enqueue writes messages as queued, in tx, in multi-row batches (a
// hundred thousand bulk messages take a few hundred statements). Messages
// without an ID get one; Channel defaults to sms and Language to en.
func Enqueue(tx *store.Tx, msgs ...Message) error {
	const cols = 13
	for _, n := range store.Runs(len(msgs), 256) {
		args := make([]any, 0, n*cols)
		now := store.Micros(tx.Now)
		for i := range msgs[:n] {
			m := &msgs[i]
			if m.ID == "" {
				m.ID = uuid.Must(uuid.NewV7()).String()
			}
			if m.Channel == "" {
				m.Channel = ChannelSMS
			}
			if m.Language == "" {
				m.Language = "en"
			}
			if m.Lane == "" {
				m.Lane = LaneTransactional
			}
			if !knownLane(m.Lane) {
				return fmt.Errorf("enqueue message to %s: unknown lane %q (want one of %s)", phone.Mask(m.Recipient), m.Lane, strings.Join(Lanes, ", "))
			}
			var notice sql.NullInt64
			if !m.NoticeAt.IsZero() {
				notice = sql.NullInt64{Int64: store.Micros(m.NoticeAt), Valid: true}
			}
			due := now
			if nb := store.Micros(m.NotBefore); !m.NotBefore.IsZero() && nb > now {
				due = nb
			}
			args = append(args, m.ID, m.Recipient, m.Channel, m.Lane, m.Template, m.Language, m.Body, m.Ref, m.AvoidRoute, notice, now, StateQueued, due)
		}
		if _, err := tx.ExecPrepared(`INSERT INTO messages (id, recipient, channel, lane, template, language, body, ref, avoid_route, notice_at, queued_at, state, next_attempt_at) VALUES `+
			store.Values(tx.Dialect, cols, n), args...); err != nil {
			return fmt.Errorf("enqueue messages: %w", err)
		}
		msgs = msgs[n:]
	}
	return nil
}

const messageColumns = `id, recipient, channel, lane, template, language, body, ref, state, attempts, route, provider_id, last_error, queued_at, submitted_at, delivered_at, finished_at, avoid_route, notice_at, sending_route, next_attempt_at`

func scanMessage(sc interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var queued int64
	var sub, del, fin, notice sql.NullInt64
	err := sc.Scan(&m.ID, &m.Recipient, &m.Channel, &m.Lane, &m.Template, &m.Language, &m.Body, &m.Ref, &m.State,
		&m.Attempts, &m.Route, &m.ProviderID, &m.LastError, &queued, &sub, &del, &fin,
		&m.AvoidRoute, &notice, &m.sendingRoute, &m.nextAttempt)
	m.QueuedAt, m.SubmittedAt, m.DeliveredAt, m.FinishedAt = store.Time(queued), store.NullTime(sub), store.NullTime(del), store.NullTime(fin)
	m.NoticeAt = store.NullTime(notice)
	return m, err
}

// ByRef returns the messages about one record, oldest first.
func ByRef(ctx context.Context, db *store.DB, ref string) ([]Message, error) {
	return query(ctx, db, `SELECT `+messageColumns+` FROM messages WHERE ref = $1 ORDER BY queued_at, id`, ref)
}

// Recent returns the newest messages, newest first.
func Recent(ctx context.Context, db *store.DB, limit int) ([]Message, error) {
	return query(ctx, db, `SELECT `+messageColumns+` FROM messages ORDER BY queued_at DESC, id DESC LIMIT $1`, limit)
}

// ForRecipient returns the newest messages to one number, newest first.
func ForRecipient(ctx context.Context, db *store.DB, msisdn string, limit int) ([]Message, error) {
	return query(ctx, db, `SELECT `+messageColumns+` FROM messages WHERE recipient = $1 ORDER BY queued_at DESC, id DESC LIMIT $2`, msisdn, limit)
}

func query(ctx context.Context, db *store.DB, q string, args ...any) ([]Message, error) {
	rows, err := db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query messages: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("query messages: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Depth returns the number of queued messages per lane.
func Depth(ctx context.Context, db *store.DB) (map[string]int, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT lane, count(*) FROM messages WHERE state = 'queued' GROUP BY lane`)
	if err != nil {
		return nil, fmt.Errorf("queue depth: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var lane string
		var n int
		if err := rows.Scan(&lane, &n); err != nil {
			return nil, err
		}
		out[lane] = n
	}
	return out, rows.Err()
}

// QueueDepth is one row of QueueDepths.
type QueueDepth struct {
	State string // queued, or submitted (awaiting its receipt)
	Lane  string
	Route string // "" for queued messages
	N     int
}

// QueueDepths counts the messages still in the queue (per lane) and those
// submitted and awaiting their receipt (per lane and route).
func QueueDepths(ctx context.Context, db *store.DB) ([]QueueDepth, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT 'queued', lane, '', count(*) FROM messages WHERE state = 'queued' GROUP BY lane
		UNION ALL SELECT 'submitted', lane, route, count(*) FROM messages WHERE state = 'submitted' GROUP BY lane, route`)
	if err != nil {
		return nil, fmt.Errorf("queue depths: %w", err)
	}
	defer rows.Close()
	var out []QueueDepth
	for rows.Next() {
		var d QueueDepth
		if err := rows.Scan(&d.State, &d.Lane, &d.Route, &d.N); err != nil {
			return nil, fmt.Errorf("queue depths: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ForAccount returns the newest messages to any of the numbers, or about
// any of the records (vends, payments), wherever they went: a token re-sent
// to another number belongs to the customer's history too.
func ForAccount(ctx context.Context, db *store.DB, msisdns, refs []string, limit int) ([]Message, error) {
	var args []any
	to, about := store.In(&args, msisdns), store.In(&args, refs)
	args = append(args, limit)
	return query(ctx, db, `SELECT `+messageColumns+` FROM messages WHERE recipient IN (`+to+`) OR ref IN (`+about+`)
		ORDER BY queued_at DESC, id DESC LIMIT $`+fmt.Sprint(len(args)), args...)
}
