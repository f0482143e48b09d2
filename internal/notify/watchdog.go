package notify

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// Watchdog watches delivery latency per lane. A token message not
// delivered within its lane's objective gets one delay notice to the same
// handset, by another route where there is one, carrying the token and
// saying where else to find it. When too many of a lane's messages miss
// the objective, it opens a system incident and closes it once delivery
// recovers. On PostgreSQL it also opens one while a transaction left open
// keeps VACUUM from removing dead rows (HeldAfter).
//
// Several nodes may run one each: on PostgreSQL only the node holding an
// advisory lock acts, and the others stand by to take over. SQLite has one
// node. Zero fields take the defaults documented on each.
type Watchdog struct {
	DB      *store.DB
	Log     *slog.Logger
	Metrics *Metrics
	// Compose fills the delay notice for a late token message (from the
	// vend its Ref names). Nil, an error, or a notice without a Token
	// sends the late message's own text again instead, which carries the
	// token too (and every key-change token, which the notice cannot).
	Compose func(ctx context.Context, m Message) (DelayNotice, error)
	// Wake, if set, is called after notices are queued (Worker.Wake).
	Wake func()
	// Every is the check period. Default 15 s.
	Every time.Duration
	// SLO is the delivery objective per lane: queued to delivered within
	// this long. Default: token 2 min. Lanes without one are not watched.
	SLO map[string]time.Duration
	// Window, Threshold and MinMessages: an incident opens when, among at
	// least MinMessages messages whose objective fell due in the last
	// Window, a Threshold share missed it; it closes when the share falls
	// under half the Threshold. Defaults 5 min, 0.2 and 10.
	Window      time.Duration
	Threshold   float64
	MinMessages int
	// NoticeWithin: token messages queued longer ago than this get no
	// notice (after a long stop of every node, a notice would only
	// confuse). Default 24 h.
	NoticeWithin time.Duration
	// HeldAfter: a transaction open this long on PostgreSQL, keeping
	// VACUUM from removing dead rows, opens an incident
	// (KindDatabaseHeld). Default 2 min: a node's own transactions take
	// seconds, and a stuck one is ended by the server after a minute.
	HeldAfter time.Duration
	// Now is the clock. Default: the database's.
	Now func() time.Time

	once sync.Once
	conn *sql.Conn // PostgreSQL: the session holding the advisory lock
}

// DelayNotice is the data of the "token_delayed" template.
type DelayNotice struct {
	Amount  string // "KES 500.00"
	Meter   string
	Receipt string // M-Pesa receipt code
	Token   string // grouped 4-4-4-4-4
	USSD    string // the code customers dial
}

// Check is what one watchdog round did.
type Check struct {
	Leader  bool     // false: another node holds the watch
	Notices int      // delay notices queued
	Applied int      // parked receipts applied late
	Opened  []string // incident kinds opened
	Closed  []string // incident kinds closed
}

func (w *Watchdog) init() {
	w.once.Do(func() {
		if w.Every <= 0 {
			w.Every = 15 * time.Second
		}
		slo := map[string]time.Duration{LaneToken: 2 * time.Minute}
		maps.Copy(slo, w.SLO)
		w.SLO = slo
		if w.Window <= 0 {
			w.Window = 5 * time.Minute
		}
		if w.Threshold <= 0 {
			w.Threshold = 0.2
		}
		if w.MinMessages <= 0 {
			w.MinMessages = 10
		}
		if w.NoticeWithin <= 0 {
			w.NoticeWithin = 24 * time.Hour
		}
		if w.HeldAfter <= 0 {
			w.HeldAfter = 2 * time.Minute
		}
		if w.Now == nil {
			w.Now = func() time.Time { return w.DB.Now() }
		}
		if w.Log == nil {
			w.Log = slog.Default()
		}
	})
}

// Run checks every Every until ctx ends, then gives up the lead.
func (w *Watchdog) Run(ctx context.Context) {
	w.init()
	defer w.Release()
	t := time.NewTicker(w.Every)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.Log.Error("delivery watchdog", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce runs one round if this node holds the watch.
func (w *Watchdog) RunOnce(ctx context.Context) (Check, error) {
	w.init()
	var c Check
	lead, err := w.lead(ctx)
	if err != nil || !lead {
		return c, err
	}
	c.Leader = true
	var errs []error
	if c.Applied, err = sweepParked(ctx, w.DB, time.Hour, w.Metrics); err != nil {
		errs = append(errs, err)
	}
	if c.Notices, err = w.notify(ctx); err != nil {
		errs = append(errs, err)
	}
	for lane, slo := range w.SLO {
		opened, closed, err := w.judge(ctx, lane, slo)
		if err != nil {
			errs = append(errs, err)
		}
		if opened {
			c.Opened = append(c.Opened, KindDeliverySLO+lane)
		}
		if closed {
			c.Closed = append(c.Closed, KindDeliverySLO+lane)
		}
	}
	opened, closed, err := w.judgeHolders(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	if opened {
		c.Opened = append(c.Opened, KindDatabaseHeld)
	}
	if closed {
		c.Closed = append(c.Closed, KindDatabaseHeld)
	}
	return c, errors.Join(errs...)
}

// lockKey names the watch per schema, so that test schemas sharing one
// server do not stand in each other's way.
const lockKey = `hashtext('mteja.notify.watchdog.' || current_schema())`

// lead reports whether this node holds the watch, trying to take it.
func (w *Watchdog) lead(ctx context.Context) (bool, error) {
	if w.DB.Dialect != store.Postgres {
		return true, nil
	}
	if w.conn != nil {
		if err := w.conn.PingContext(ctx); err == nil {
			return true, nil
		}
		// The session is gone and the lock with it; another node may
		// hold it by now.
		w.conn.Close()
		w.conn = nil
		w.Log.Warn("delivery watchdog lost its lock session")
	}
	conn, err := w.DB.Write().Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("watchdog lock: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+lockKey+`)`).Scan(&got); err != nil {
		conn.Close()
		return false, fmt.Errorf("watchdog lock: %w", err)
	}
	if !got {
		conn.Close()
		return false, nil
	}
	w.conn = conn
	return true, nil
}

// Release gives up the watch so another node can take it at once.
func (w *Watchdog) Release() {
	if w.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var ok bool
	if err := w.conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock(`+lockKey+`)`).Scan(&ok); err != nil || !ok {
		// Do not hand a session that may still hold the lock back to the
		// pool: close the connection itself.
		_ = w.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	w.conn.Close()
	w.conn = nil
}

// notify queues a delay notice for each late token message not yet
// noticed, and marks the late message so it is done once.
func (w *Watchdog) notify(ctx context.Context) (int, error) {
	slo, ok := w.SLO[LaneToken]
	if !ok || slo <= 0 {
		return 0, nil
	}
	now := w.Now()
	rows, err := w.DB.Read().QueryContext(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE lane = 'token' AND notice_at IS NULL AND state <> 'delivered' AND queued_at <= $1 AND queued_at > $2
		ORDER BY queued_at LIMIT 200`, store.Micros(now.Add(-slo)), store.Micros(now.Add(-w.NoticeWithin)))
	if err != nil {
		return 0, fmt.Errorf("late token messages: %w", err)
	}
	var late []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("late token messages: %w", err)
		}
		late = append(late, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(late) == 0 {
		return 0, err
	}
	notices := make([]Message, len(late))
	for i, m := range late {
		notices[i] = w.notice(ctx, m)
	}
	var n int
	err = w.DB.InTx(ctx, func(tx *store.Tx) error {
		n = 0
		var queue []Message
		for i, m := range late {
			res, err := tx.Exec(`UPDATE messages SET notice_at = $2 WHERE id = $1 AND notice_at IS NULL`, m.ID, store.Micros(tx.Now))
			if err != nil {
				return fmt.Errorf("mark %s noticed: %w", m.ID, err)
			}
			if k, _ := res.RowsAffected(); k == 1 {
				nm := notices[i]
				nm.ID, nm.NoticeAt = "", tx.Now
				queue = append(queue, nm)
			}
		}
		n = len(queue)
		return Enqueue(tx, queue...)
	})
	if err != nil {
		return 0, err
	}
	w.Metrics.notices(n)
	if n > 0 {
		w.Log.Warn("token messages late: delay notices queued", "n", n)
		if w.Wake != nil {
			w.Wake()
		}
	}
	return n, nil
}

// notice builds the delay notice for late message m. It avoids m's route,
// so it goes by another where there is one.
func (w *Watchdog) notice(ctx context.Context, m Message) Message {
	body := m.Body
	if w.Compose != nil {
		d, err := w.Compose(ctx, m)
		if err == nil && d.Token != "" {
			if text, err := Render("token_delayed", m.Language, d); err == nil {
				body = text
			} else {
				w.Log.Error("render delay notice", "id", m.ID, "err", err)
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			w.Log.Error("compose delay notice", "id", m.ID, "ref", m.Ref, "err", err)
		}
	}
	return Message{Recipient: m.Recipient, Channel: m.Channel, Lane: LaneToken, Template: "token_delayed",
		Language: m.Language, Body: body, Ref: m.Ref, AvoidRoute: m.Route}
}

// judge opens or closes the lane's delivery incident from the share of
// its messages that missed the objective in the last Window.
func (w *Watchdog) judge(ctx context.Context, lane string, slo time.Duration) (opened, closed bool, err error) {
	now := w.Now()
	due := now.Add(-slo)
	var total, late int
	err = w.DB.Read().QueryRowContext(ctx, `SELECT count(*), coalesce(sum(CASE WHEN delivered_at IS NULL OR delivered_at > queued_at + $3 THEN 1 ELSE 0 END), 0)
		FROM messages WHERE lane = $4 AND queued_at > $1 AND queued_at <= $2 AND template <> 'token_delayed'`,
		store.Micros(due.Add(-w.Window)), store.Micros(due), slo.Microseconds(), lane).Scan(&total, &late)
	if err != nil {
		return false, false, fmt.Errorf("%s delivery latency: %w", lane, err)
	}
	share := 0.0
	if total > 0 {
		share = float64(late) / float64(total)
	}
	kind := KindDeliverySLO + lane
	detail := fmt.Sprintf("%s messages: %d of %d (%.0f%%) queued in the %v up to %s not delivered within %v",
		lane, late, total, 100*share, w.Window, due.UTC().Format(time.RFC3339), slo)
	err = w.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		switch {
		case total >= w.MinMessages && share >= w.Threshold:
			opened, err = openIncident(tx, kind, detail)
		case total == 0 || share < w.Threshold/2:
			closed, err = closeIncident(tx, kind, fmt.Sprintf("%d of %d late", late, total))
		}
		return err
	})
	if opened {
		w.Log.Error("delivery incident opened", "kind", kind, "detail", detail)
	}
	if closed {
		w.Log.Info("delivery incident closed", "kind", kind, "detail", detail)
	}
	return opened, closed, err
}
