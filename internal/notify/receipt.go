package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/store"
)

// appliedReceipt is a receipt that changed a message, for metrics.
type appliedReceipt struct {
	lane, route, state        string
	receiptState              sms.State
	errCode                   string
	queuedAt, submittedAt, at time.Time
}

// receiptItem is a receipt with the route it came in on ("" if unknown).
type receiptItem struct {
	route string
	r     sms.Receipt
}

// HandleReceipt applies a delivery receipt to its message, in its own
// transaction. It reports false for receipts that changed nothing: not
// final, a repeat, or for no message recorded yet. The last kind is kept
// (a fast SMSC's receipt can overtake the record of its submit) and
// applied when the submit is recorded. Worker.Receipt does the same in
// batches, off the caller's goroutine.
func HandleReceipt(ctx context.Context, db *store.DB, r sms.Receipt) (bool, error) {
	var applied []appliedReceipt
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		st := newStmts(tx)
		defer st.Close()
		applied, _, err = applyReceipts(tx, st, []receiptItem{{r: r}})
		return err
	})
	return len(applied) > 0, err
}

// applyReceipts applies receipts in tx: the message moves to delivered,
// failed or expired; receipts matching no message are parked in
// receipts_unmatched (and counted); each route's last receipt time moves on.
func applyReceipts(tx *store.Tx, st *stmts, items []receiptItem) (out []appliedReceipt, parked int, err error) {
	now := store.Micros(tx.Now)
	done, err := applyDelivered(tx, items, &out)
	if err != nil {
		return nil, 0, err
	}
	for i, it := range items {
		if done[i] {
			continue
		}
		r := it.r
		// ACCEPTD means the SMSC took the message on the handset's
		// behalf: not a failure, and not yet a delivery.
		if !r.State.Final() || r.State == sms.StateAccepted || r.ProviderID == "" {
			continue
		}
		state, q := StateDelivered, `UPDATE messages SET state = 'delivered', delivered_at = $2, finished_at = $2, receipt_at = $2, `+withhold+`
			WHERE provider_id = $1 AND state IN ('submitted', 'queued') AND ($3 = '' OR route = $3)
			RETURNING lane, route, queued_at, submitted_at`
		args := []any{r.ProviderID, now, it.route}
		if r.State != sms.StateDelivered {
			state = StateFailed
			if r.State == sms.StateExpired {
				state = StateExpired
			}
			q = `UPDATE messages SET state = $4, finished_at = $2, receipt_at = $2, last_error = $5
				WHERE provider_id = $1 AND state = 'submitted' AND ($3 = '' OR route = $3)
				RETURNING lane, route, queued_at, submitted_at`
			args = append(args, state, truncate("receipt: "+r.State.String()+" "+r.ErrCode))
		}
		matched, err := applyOne(st, q, args, appliedReceipt{state: state, receiptState: r.State, errCode: r.ErrCode, at: tx.Now}, &out)
		if err != nil {
			return nil, 0, fmt.Errorf("apply receipt %s: %w", r.ProviderID, err)
		}
		if matched {
			continue
		}
		var known int
		err = st.QueryRow(`SELECT count(*) FROM messages WHERE provider_id = $1`, r.ProviderID).Scan(&known)
		if err != nil {
			return nil, 0, fmt.Errorf("look up receipt %s: %w", r.ProviderID, err)
		}
		if known > 0 {
			// Either a repeat (the message is final already), or on
			// PostgreSQL the record of its submit committed between the
			// two statements: once more settles which.
			if _, err := applyOne(st, q, args, appliedReceipt{state: state, receiptState: r.State, errCode: r.ErrCode, at: tx.Now}, &out); err != nil {
				return nil, 0, fmt.Errorf("apply receipt %s: %w", r.ProviderID, err)
			}
			continue
		}
		if _, err := st.Exec(`INSERT INTO receipts_unmatched (provider_id, state, err_code, received_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (provider_id) DO NOTHING`, r.ProviderID, int(r.State), r.ErrCode, now); err != nil {
			return nil, 0, fmt.Errorf("park receipt %s: %w", r.ProviderID, err)
		}
		parked++
	}
	heard := map[string]bool{}
	for _, a := range out {
		heard[a.route] = true
	}
	for name := range heard {
		// The route's one row is every receipt transaction's, on every
		// node: written each time, it held them in single file behind
		// each other's commits (on PostgreSQL 1.9 ms a statement, most of
		// it waiting for the row, in a three-node run). The watchdog
		// reckons silence in minutes, so a time a second old will do; it
		// is read first, which locks nothing.
		var last int64
		err := st.QueryRow(`SELECT last_receipt_at FROM message_routes WHERE name = $1`, name).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, 0, fmt.Errorf("read last receipt on route %s: %w", name, err)
		}
		if err == nil && last > now-routeHeardEvery.Microseconds() {
			continue
		}
		if _, err := tx.Exec(`INSERT INTO message_routes (name, last_receipt_at) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET last_receipt_at = excluded.last_receipt_at
			WHERE message_routes.last_receipt_at < excluded.last_receipt_at`, name, now); err != nil {
			return nil, 0, fmt.Errorf("note receipt on route %s: %w", name, err)
		}
	}
	return out, parked, nil
}

// receiptKey is a message as a receipt names it: its route and the
// provider's id for it.
type receiptKey struct{ route, providerID string }

// routeHeardEvery is how stale a route's last receipt time may be before a
// receipt writes it again.
const routeHeardEvery = time.Second

// deliveredRun is the most receipts one UPDATE applies.
const deliveredRun = 128

// applyDelivered applies the "delivered" receipts in statements of up to
// deliveredRun, a route at a time, and reports which items it settled.
// Nearly every receipt is one, and an UPDATE per receipt cost more in
// statements than in rows. What it leaves (other states, and receipts
// that matched no message here: a repeat, or one that overtook its
// submit) goes one by one.
//
// A message's first final receipt in the batch is the one that counts, as
// if the receipts were applied one by one in the order they came: a
// "delivered" that follows a failure for the same message (an SMSC
// correcting itself, or a repeat) is left to the one-by-one pass, which
// applies the failure first and then finds the message final.
func applyDelivered(tx *store.Tx, items []receiptItem, out *[]appliedReceipt) (map[int]bool, error) {
	byRoute := map[string][]int{}
	firstFinal := map[receiptKey]sms.State{}
	for i, it := range items {
		if it.r.ProviderID == "" || !it.r.State.Final() || it.r.State == sms.StateAccepted {
			continue
		}
		k := receiptKey{it.route, it.r.ProviderID}
		if _, seen := firstFinal[k]; !seen {
			firstFinal[k] = it.r.State
		}
		if it.r.State == sms.StateDelivered && firstFinal[k] == sms.StateDelivered {
			byRoute[it.route] = append(byRoute[it.route], i)
		}
	}
	done := map[int]bool{}
	for route, idx := range byRoute {
		for _, n := range store.Runs(len(idx), deliveredRun) {
			run := idx[:n]
			idx = idx[n:]
			args := make([]any, 0, 2+n)
			args = append(args, store.Micros(tx.Now), route)
			first := make(map[string]int, n) // provider id → its first item
			for _, i := range run {
				id := items[i].r.ProviderID
				args = append(args, id)
				if _, ok := first[id]; !ok {
					first[id] = i
				}
			}
			rows, err := tx.QueryPrepared(`UPDATE messages SET state = 'delivered', delivered_at = $1, finished_at = $1, receipt_at = $1, `+withhold+`
				WHERE provider_id IN (`+store.Placeholders(3, n)+`) AND state IN ('submitted', 'queued') AND ($2 = '' OR route = $2)
				RETURNING provider_id, lane, route, queued_at, submitted_at`, args...)
			if err != nil {
				return nil, fmt.Errorf("apply delivery receipts: %w", err)
			}
			for rows.Next() {
				a := appliedReceipt{state: StateDelivered, receiptState: sms.StateDelivered, at: tx.Now}
				var id string
				var queued int64
				var sub *int64
				if err := rows.Scan(&id, &a.lane, &a.route, &queued, &sub); err != nil {
					rows.Close()
					return nil, fmt.Errorf("apply delivery receipts: %w", err)
				}
				a.queuedAt = store.Time(queued)
				if sub != nil {
					a.submittedAt = store.Time(*sub)
				}
				*out = append(*out, a)
				// One message a provider id per route: the first receipt
				// for it is settled; a repeat in the batch goes the slow
				// way and finds it final.
				if i, ok := first[id]; ok {
					done[i] = true
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return nil, fmt.Errorf("apply delivery receipts: %w", err)
			}
		}
	}
	return done, nil
}

// applyOne runs one receipt's UPDATE ... RETURNING and appends what it
// changed to out, each entry filled from proto.
func applyOne(st *stmts, q string, args []any, proto appliedReceipt, out *[]appliedReceipt) (bool, error) {
	rows, err := st.Query(q, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	matched := false
	for rows.Next() {
		a := proto
		var queued int64
		var sub *int64
		if err := rows.Scan(&a.lane, &a.route, &queued, &sub); err != nil {
			return false, err
		}
		a.queuedAt = store.Time(queued)
		if sub != nil {
			a.submittedAt = store.Time(*sub)
		}
		*out = append(*out, a)
		matched = true
	}
	return matched, rows.Err()
}

// applyParked applies the parked receipts of the given provider ids, in
// tx, and forgets them.
func applyParked(tx *store.Tx, st *stmts, ids []string) ([]appliedReceipt, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := store.Placeholders(1, len(ids))
	items, err := parked(tx, `SELECT provider_id, state, err_code FROM receipts_unmatched WHERE provider_id IN (`+in+`)`, args...)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	return applyAndForget(tx, st, items)
}

func applyAndForget(tx *store.Tx, st *stmts, items []receiptItem) ([]appliedReceipt, error) {
	args := make([]any, len(items))
	for i, it := range items {
		args[i] = it.r.ProviderID
	}
	if _, err := tx.Exec(`DELETE FROM receipts_unmatched WHERE provider_id IN (`+store.Placeholders(1, len(items))+`)`, args...); err != nil {
		return nil, fmt.Errorf("forget parked receipts: %w", err)
	}
	applied, _, err := applyReceipts(tx, st, items)
	return applied, err
}

func parked(tx *store.Tx, q string, args ...any) ([]receiptItem, error) {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("parked receipts: %w", err)
	}
	defer rows.Close()
	var items []receiptItem
	for rows.Next() {
		var it receiptItem
		var st int
		if err := rows.Scan(&it.r.ProviderID, &st, &it.r.ErrCode); err != nil {
			return nil, fmt.Errorf("parked receipts: %w", err)
		}
		it.r.State = sms.State(st)
		items = append(items, it)
	}
	return items, rows.Err()
}

// sweepParked applies parked receipts whose message has since been
// recorded (a record on another node that raced the park), and forgets
// those older than keep. It returns how many it applied.
func sweepParked(ctx context.Context, db *store.DB, keep time.Duration, m *Metrics) (int, error) {
	var applied []appliedReceipt
	err := db.InTx(ctx, func(tx *store.Tx) error {
		items, err := parked(tx, `SELECT u.provider_id, u.state, u.err_code FROM receipts_unmatched u
			WHERE EXISTS (SELECT 1 FROM messages m WHERE m.provider_id = u.provider_id) LIMIT 500`)
		if err != nil {
			return err
		}
		applied = nil
		if len(items) > 0 {
			st := newStmts(tx)
			defer st.Close()
			if applied, err = applyAndForget(tx, st, items); err != nil {
				return err
			}
		}
		_, err = tx.Exec(`DELETE FROM receipts_unmatched WHERE received_at < $1`, store.Micros(tx.Now.Add(-keep)))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sweep parked receipts: %w", err)
	}
	for _, a := range applied {
		m.receipt(a)
	}
	return len(applied), nil
}
