package isp

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/store"
)

// Account records one accounting packet. Counters are cumulative per
// session: the last ones are kept and the difference is billed against
// the subscription's data, so a repeated packet (the same counters) bills
// nothing. Packets are written in batches by a group committer (one
// transaction, one fsync for many), and each is answered once its batch
// is committed, with what the server must do about the session: a
// Disconnect when this packet used up the bundle and nothing renewed it,
// a new rate when it crossed the fair-use threshold. The server's reply
// cache answers a retransmit of that packet; one it misses is counted as
// a repeat and gets no second instruction.
func (s *Service) Account(ctx context.Context, r radius.AcctRecord) (radius.AcctResult, error) {
	switch r.Status {
	case radius.AcctStart, radius.AcctInterim, radius.AcctStop:
	case radius.AcctOn, radius.AcctOff:
		return radius.AcctResult{}, s.routerRestarted(ctx, r)
	default:
		return radius.AcctResult{}, fmt.Errorf("accounting: Acct-Status-Type %d is not one billing knows", r.Status)
	}
	switch {
	case r.NAS.ID == "":
		return radius.AcctResult{}, fmt.Errorf("accounting: no router")
	case r.SessionID == "":
		return radius.AcctResult{}, fmt.Errorf("accounting: no Acct-Session-Id")
	case r.InputBytes < 0 || r.OutputBytes < 0 || r.SessionTime < 0:
		return radius.AcctResult{}, fmt.Errorf("accounting: negative counters")
	}
	if r.At.IsZero() {
		r.At = s.now()
	}
	// Text from a router goes into the database as valid UTF-8, whatever
	// it sent: PostgreSQL refuses the whole batch otherwise.
	r.SessionID, r.Username = store.Truncate(r.SessionID, 253), store.Truncate(NormalizeUsername(r.Username), 253)
	r.CallingStationID, r.TerminateCause = store.Truncate(r.CallingStationID, 64), store.Truncate(r.TerminateCause, 64)
	return s.acct.Submit(ctx, r)
}

// session is a row of isp_sessions as a batch works on it.
type session struct {
	key, nasID, sessionID, username, subscriberID, subscriptionID string
	framedIP, callingStation, cause                               string
	startedAt, lastAt, stoppedAt                                  time.Time
	in, out                                                       int64
	time                                                          time.Duration
	interim                                                       time.Duration
}

func sessionKey(nasID, sessionID string) string { return nasID + "|" + sessionID }

// accountBatch writes a batch of accounting packets in tx, in order.
// Rows are locked before they are read (sessions, then subscriptions, each
// in key order), so batches on several nodes never bill one packet twice.
func (s *Service) accountBatch(tx *store.Tx, recs []radius.AcctRecord) ([]radius.AcctResult, error) {
	ctx := context.Background()
	users, err := subscriberIDs(tx, recs)
	if err != nil {
		return nil, err
	}
	if err := s.openSessions(tx, recs, users); err != nil {
		return nil, err
	}
	sessions, err := lockSessions(tx, recs)
	if err != nil {
		return nil, err
	}
	subs, plans, err := lockUsage(ctx, tx, users)
	if err != nil {
		return nil, err
	}
	out := make([]radius.AcctResult, len(recs))
	var events []usageEvent
	for i, r := range recs {
		sess := sessions[sessionKey(r.NAS.ID, r.SessionID)]
		delta, ok := sess.apply(r)
		if !ok || delta == 0 {
			continue
		}
		sub := subs[sess.subscriberID]
		if sub == nil || (sub.State != Active && sub.State != Grace) {
			continue // no bundle to bill: the walled garden is free
		}
		if sess.subscriptionID == "" {
			sess.subscriptionID = sub.ID
		}
		events = append(events, bill(sub, plans[sub.PlanID], delta, sess.key, i, &out[i])...)
	}
	if err := writeSessions(tx, sessions); err != nil {
		return nil, err
	}
	if err := writeUsage(tx, subs); err != nil {
		return nil, err
	}
	for _, e := range events {
		if err := s.usageEvent(ctx, tx, e, subs[e.subscriberID], plans, &out[e.rec]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// subscriberIDs maps the batch's usernames to subscriber ids.
func subscriberIDs(tx *store.Tx, recs []radius.AcctRecord) (map[string]string, error) {
	var names []string
	seen := map[string]bool{}
	for _, r := range recs {
		if !seen[r.Username] {
			seen[r.Username] = true
			names = append(names, r.Username)
		}
	}
	var args []any
	rows, err := tx.Query(`SELECT username, id FROM isp_subscribers WHERE username IN (`+store.In(&args, names)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("accounting: subscribers: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var u, id string
		if err := rows.Scan(&u, &id); err != nil {
			return nil, err
		}
		out[u] = id
	}
	return out, rows.Err()
}

// openSessions inserts a row for each session not seen before, marked new
// by a last_at of 0 (it never commits so: apply sets it). A session another
// node is inserting makes this wait for it, then leaves it alone.
func (s *Service) openSessions(tx *store.Tx, recs []radius.AcctRecord, users map[string]string) error {
	var b strings.Builder
	var args []any
	seen := map[string]bool{}
	// In key order, as lockSessions locks them: two batches inserting the
	// same new sessions wait for each other rather than deadlock.
	sorted := slices.Clone(recs)
	slices.SortFunc(sorted, func(a, b radius.AcctRecord) int {
		return strings.Compare(sessionKey(a.NAS.ID, a.SessionID), sessionKey(b.NAS.ID, b.SessionID))
	})
	for _, r := range sorted {
		key := sessionKey(r.NAS.ID, r.SessionID)
		if seen[key] {
			continue
		}
		seen[key] = true
		if len(args) > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%s, 0)", store.Placeholders(len(args)+1, 7))
		args = append(args, key, r.NAS.ID, r.SessionID, r.Username, users[r.Username], store.Micros(r.At), int64(s.cfg.Interim/time.Second))
	}
	_, err := tx.Exec(`INSERT INTO isp_sessions (id, nas_id, session_id, username, subscriber_id, started_at, interim_s, last_at) VALUES `+b.String()+
		` ON CONFLICT (id) DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("accounting: open sessions: %w", err)
	}
	return nil
}

const sessionColumns = `id, nas_id, session_id, username, subscriber_id, subscription_id, framed_ip, calling_station, started_at, last_at, stopped_at,
	input_bytes, output_bytes, session_time_s, interim_s, terminate_cause`

func lockSessions(tx *store.Tx, recs []radius.AcctRecord) (map[string]*session, error) {
	keys := make([]string, 0, len(recs))
	for _, r := range recs {
		keys = append(keys, sessionKey(r.NAS.ID, r.SessionID))
	}
	var args []any
	rows, err := tx.Query(`SELECT `+sessionColumns+` FROM isp_sessions WHERE id IN (`+store.In(&args, keys)+`) ORDER BY id `+tx.ForUpdate(), args...)
	if err != nil {
		return nil, fmt.Errorf("accounting: lock sessions: %w", err)
	}
	defer rows.Close()
	out := map[string]*session{}
	for rows.Next() {
		var x session
		var started, last, stopped, secs, interim int64
		var stop *int64
		if err := rows.Scan(&x.key, &x.nasID, &x.sessionID, &x.username, &x.subscriberID, &x.subscriptionID, &x.framedIP, &x.callingStation,
			&started, &last, &stop, &x.in, &x.out, &secs, &interim, &x.cause); err != nil {
			return nil, err
		}
		if stop != nil {
			stopped = *stop
		}
		x.startedAt, x.lastAt, x.stoppedAt, x.time, x.interim = store.Time(started), store.Time(last), store.Time(stopped), dur2(secs), dur2(interim)
		out[x.key] = &x
	}
	return out, rows.Err()
}

// apply takes packet r into the session and returns the bytes to bill;
// ok is false for a packet of a session already stopped (a late repeat).
func (x *session) apply(r radius.AcctRecord) (delta int64, ok bool) {
	if !x.stoppedAt.IsZero() {
		return 0, false
	}
	if x.lastAt.IsZero() {
		// First heard of (its Start may have been lost): it began its
		// session time ago.
		x.startedAt = r.At.Add(-r.SessionTime)
	}
	delta = max(r.InputBytes-x.in, 0) + max(r.OutputBytes-x.out, 0)
	x.in, x.out = max(x.in, r.InputBytes), max(x.out, r.OutputBytes)
	x.time = max(x.time, r.SessionTime)
	if r.At.After(x.lastAt) {
		x.lastAt = r.At
	}
	if r.FramedIP.IsValid() {
		x.framedIP = r.FramedIP.String()
	}
	if r.CallingStationID != "" {
		x.callingStation = r.CallingStationID
	}
	if r.Status == radius.AcctStop {
		x.stoppedAt, x.cause = r.At, r.TerminateCause
		if x.cause == "" {
			x.cause = "Stop"
		}
	}
	return delta, true
}

// writeSessions writes the batch's sessions back in one statement.
func writeSessions(tx *store.Tx, sessions map[string]*session) error {
	var b strings.Builder
	var args []any
	for _, x := range sessions {
		if len(args) > 0 {
			b.WriteString(", ")
		}
		var stopped any
		if !x.stoppedAt.IsZero() {
			stopped = store.Micros(x.stoppedAt)
		}
		fmt.Fprintf(&b, "(%s)", store.Placeholders(len(args)+1, 16))
		args = append(args, x.key, x.nasID, x.sessionID, x.username, x.subscriberID, x.subscriptionID, x.framedIP, x.callingStation,
			store.Micros(x.startedAt), store.Micros(x.lastAt), stopped, x.in, x.out, int64(x.time/time.Second), int64(x.interim/time.Second), x.cause)
	}
	if len(args) == 0 {
		return nil
	}
	_, err := tx.Exec(`INSERT INTO isp_sessions (`+sessionColumns+`) VALUES `+b.String()+` ON CONFLICT (id) DO UPDATE SET
		subscription_id = excluded.subscription_id, framed_ip = excluded.framed_ip, calling_station = excluded.calling_station,
		started_at = excluded.started_at, last_at = excluded.last_at, stopped_at = excluded.stopped_at, input_bytes = excluded.input_bytes,
		output_bytes = excluded.output_bytes, session_time_s = excluded.session_time_s, terminate_cause = excluded.terminate_cause`, args...)
	if err != nil {
		return fmt.Errorf("accounting: write sessions: %w", err)
	}
	return nil
}

// routerRestarted closes every session a router had open when it says it
// started or is stopping (Accounting-On, -Off): they ended without a Stop.
// Sessions heard of after the packet are left open.
func (s *Service) routerRestarted(ctx context.Context, r radius.AcctRecord) error {
	if r.NAS.ID == "" {
		return fmt.Errorf("accounting: no router")
	}
	at := r.At
	if at.IsZero() {
		at = s.now()
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE isp_sessions SET stopped_at = $2, terminate_cause = 'NAS-Reboot' WHERE nas_id = $1 AND stopped_at IS NULL AND last_at <= $2`,
			r.NAS.ID, store.Micros(at))
		if err != nil {
			return fmt.Errorf("accounting: close the sessions of router %s: %w", r.NAS.Name, err)
		}
		return nil
	})
}
