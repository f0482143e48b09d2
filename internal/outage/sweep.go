package outage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
)

// Sweeper queues the notices of due events. Run it every minute or so: an
// event is sent within one period of becoming due (the first notice of a
// confirmed outage well within ten minutes).
type Sweeper struct {
	DB      *store.DB
	Utility string            // the name notices start with
	Quiet   notify.QuietHours // when notices that can wait are held
	Zone    *time.Location    // of the times in notices; nil is East Africa Time
}

// sweepBatch bounds the events one sweep takes; the next sweep takes the
// rest.
const sweepBatch = 20

// Sweep queues the notices of the events due now, and returns how many
// messages it queued.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	ids, err := store.Strings(ctx, s.DB.Read(), `SELECT id FROM outage_events WHERE swept_at IS NULL AND due_at <= $1 ORDER BY due_at, id LIMIT $2`,
		store.Micros(s.DB.Now()), sweepBatch)
	if err != nil {
		return 0, fmt.Errorf("due outage events: %w", err)
	}
	total := 0
	for _, id := range ids {
		n, err := s.sweepEvent(ctx, id)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// sweepEvent queues one event's notices and marks it swept, in one
// transaction: a crash sends nothing or all, and a second node finds it
// swept (or, at worst, finds each phone already told).
func (s *Sweeper) sweepEvent(ctx context.Context, id string) (int, error) {
	sent := 0
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		sent = 0
		var kind, outageID string
		var due int64
		rows, err := tx.Query(`SELECT kind, outage_id, due_at FROM outage_events WHERE id = $1 AND swept_at IS NULL `+tx.ForUpdate(), id)
		if err != nil {
			return err
		}
		found := rows.Next()
		if found {
			err = rows.Scan(&kind, &outageID, &due)
		}
		rows.Close()
		if err != nil || !found {
			return err
		}
		o, err := get(tx, outageID, false)
		if err != nil {
			return err
		}
		if s.current(tx, o, kind, due) {
			to, err := recipients(tx, o)
			if err != nil {
				return err
			}
			if sent, err = s.notify(tx, id, kind, o, to); err != nil {
				return err
			}
		}
		_, err = tx.Exec(`UPDATE outage_events SET swept_at = $2, recipients = $3 WHERE id = $1`, id, store.Micros(tx.Now), sent)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("outage event %s: %w", id, err)
	}
	return sent, nil
}

// current reports whether an event is still worth telling: not of a
// dismissed outage; an ETR change only while the outage is open and no
// newer change came; planned work's notices only while it is still ahead.
func (s *Sweeper) current(tx *store.Tx, o Outage, kind string, due int64) bool {
	switch {
	case o.State != StateConfirmed:
		return false
	case kind == EventETR:
		if !o.RestoredAt.IsZero() {
			return false
		}
		var newer int
		if err := tx.QueryRow(`SELECT count(*) FROM outage_events WHERE outage_id = $1 AND kind = $2 AND due_at > $3`, o.ID, EventETR, due).Scan(&newer); err != nil || newer > 0 {
			return false
		}
	case kind == EventAhead48:
		return o.RestoredAt.IsZero() && o.StartsAt.Sub(tx.Now) > 2*time.Hour
	case kind == EventAhead2:
		return o.RestoredAt.IsZero() && o.StartsAt.After(tx.Now)
	}
	return true
}

// recipient is a phone to tell and the language to tell it in.
type recipient struct{ msisdn, lang string }

// recipients are the phones of the meters the outage reaches and the
// phones subscribed to its area, each once, less those that sent STOP.
// A phone registered for a meter there speaks its customer's language.
func recipients(tx *store.Tx, o Outage) ([]recipient, error) {
	col, err := column(o.Level)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(`SELECT p.msisdn, MIN(c.language), 0 FROM meters m JOIN customers c ON c.id = m.customer_id JOIN customer_phones p ON p.customer_id = c.id
		WHERE m.`+col+` = $1 AND NOT EXISTS (SELECT 1 FROM sms_optouts x WHERE x.msisdn = p.msisdn) GROUP BY p.msisdn
		UNION ALL SELECT s.msisdn, s.language, 1 FROM outage_subscriptions s
		WHERE s.area = $2 AND NOT EXISTS (SELECT 1 FROM sms_optouts x WHERE x.msisdn = s.msisdn)`, o.Place, o.Area)
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []recipient
	for rows.Next() {
		var r recipient
		var sub int
		if err := rows.Scan(&r.msisdn, &r.lang, &sub); err != nil {
			return nil, err
		}
		if !seen[r.msisdn] {
			seen[r.msisdn] = true
			out = append(out, r)
		}
	}
	// Meter phones come first in the union, so their language wins; the
	// order of the queue is then by number, which tests and logs can read.
	slices.SortFunc(out, func(a, b recipient) int { return strings.Compare(a.msisdn, b.msisdn) })
	return out, rows.Err()
}

// notify records a notice for each phone not yet told of the event and
// queues those messages, in batches; a phone already told (a retried
// sweep, a second node) is skipped by the notice's key.
func (s *Sweeper) notify(tx *store.Tx, eventID, kind string, o Outage, to []recipient) (int, error) {
	var notBefore time.Time
	if !urgent(kind) {
		notBefore = s.Quiet.Release(tx.Now)
	}
	body := map[string]string{"en": s.body("en", kind, o), "sw": s.body("sw", kind, o)}
	sent := 0
	for len(to) > 0 {
		n := min(len(to), 200)
		batch := to[:n]
		to = to[n:]
		ids := make(map[string]string, n)
		args := make([]any, 0, n*4)
		for _, r := range batch {
			id := uuid.Must(uuid.NewV7()).String()
			ids[r.msisdn] = id
			args = append(args, eventID, r.msisdn, id, store.Micros(tx.Now))
		}
		var vals []string
		for i := range batch {
			vals = append(vals, "("+store.Placeholders(i*4+1, 4)+")")
		}
		fresh, err := store.Strings(context.Background(), tx, `INSERT INTO outage_notices (event_id, msisdn, message_id, created_at) VALUES `+strings.Join(vals, ", ")+`
			ON CONFLICT (event_id, msisdn) DO NOTHING RETURNING msisdn`, args...)
		if err != nil {
			return sent, fmt.Errorf("record notices: %w", err)
		}
		lang := map[string]string{}
		for _, r := range batch {
			lang[r.msisdn] = r.lang
		}
		msgs := make([]notify.Message, 0, len(fresh))
		for _, p := range fresh {
			l := lang[p]
			if l != "sw" {
				l = "en"
			}
			msgs = append(msgs, notify.Message{ID: ids[p], Recipient: p, Lane: notify.LaneBulk, Template: "outage_" + kind,
				Language: l, Body: body[l], Ref: eventID, NotBefore: notBefore})
		}
		if err := notify.Enqueue(tx, msgs...); err != nil {
			return sent, err
		}
		sent += len(msgs)
	}
	return sent, nil
}

// body is the notice of an event in lang.
func (s *Sweeper) body(lang, kind string, o Outage) string {
	utility := s.Utility
	if utility == "" {
		utility = "Power"
	}
	switch kind {
	case EventStarted:
		etr := ""
		if !o.ETR.IsZero() {
			etr = text(lang, "etr_line", s.clock(o.ETR))
		}
		return strings.Join(strings.Fields(text(lang, "started", utility, o.Area, placeSuffix(lang, o), etr)), " ")
	case EventETR:
		return text(lang, "etr", utility, o.Area, placeSuffix(lang, o), s.clock(o.ETR))
	case EventRestored:
		return text(lang, "restored", utility, o.Area, placeSuffix(lang, o))
	}
	if o.ETR.IsZero() {
		return text(lang, "planned_open", utility, o.Area, placeSuffix(lang, o), s.clock(o.StartsAt))
	}
	return text(lang, "planned", utility, o.Area, placeSuffix(lang, o), s.clock(o.StartsAt), s.clock(o.ETR))
}

// placeSuffix names the feeder or transformer after the area.
func placeSuffix(lang string, o Outage) string {
	if o.Level == LevelArea {
		return ""
	}
	return text(lang, o.Level, o.Place)
}

func (s *Sweeper) clock(t time.Time) string {
	z := s.Zone
	if z == nil {
		z = notify.Zone
	}
	return t.In(z).Format("02/01 15:04")
}
