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

// sweepChunk bounds the phones one transaction tells: on SQLite a sweep
// holds the one writer, and a token's vend must not wait seconds behind a
// feeder of a hundred thousand phones.
const sweepChunk = 2000

// sweepEvent queues one event's notices, sweepChunk phones a transaction,
// and marks the event swept with its last chunk. A crash between chunks
// loses nothing: the next sweep tells the phones not yet told (the
// notices say which), and a second node finds each phone told or the
// event swept.
func (s *Sweeper) sweepEvent(ctx context.Context, id string) (int, error) {
	total := 0
	for {
		sent, done := 0, false
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			sent, done = 0, false
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
				done = true
				return err
			}
			o, err := get(tx, outageID, false)
			if err != nil {
				return err
			}
			var to []recipient
			if s.current(tx, o, kind, due) {
				if to, err = recipients(tx, o, id); err != nil {
					return err
				}
			}
			if len(to) > sweepChunk {
				to = to[:sweepChunk]
			} else {
				done = true
			}
			if sent, err = s.notify(tx, id, kind, o, to); err != nil {
				return err
			}
			if done {
				_, err = tx.Exec(`UPDATE outage_events SET swept_at = $2, recipients = recipients + $3 WHERE id = $1`, id, store.Micros(tx.Now), sent)
			} else {
				_, err = tx.Exec(`UPDATE outage_events SET recipients = recipients + $2 WHERE id = $1`, id, sent)
			}
			return err
		})
		if err != nil {
			return total, fmt.Errorf("outage event %s: %w", id, err)
		}
		total += sent
		if done {
			return total, nil
		}
	}
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
// phones subscribed to its area, each once, less those that sent STOP and
// those already told of event eventID.
// A phone registered for a meter there speaks its customer's language.
func recipients(tx *store.Tx, o Outage, eventID string) ([]recipient, error) {
	col, err := column(o.Level)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(`SELECT p.msisdn, MIN(c.language), 0 FROM meters m JOIN customers c ON c.id = m.customer_id JOIN customer_phones p ON p.customer_id = c.id
		WHERE m.`+col+` = $1 AND NOT EXISTS (SELECT 1 FROM sms_optouts x WHERE x.msisdn = p.msisdn)
		AND NOT EXISTS (SELECT 1 FROM outage_notices n WHERE n.event_id = $3 AND n.msisdn = p.msisdn) GROUP BY p.msisdn
		UNION ALL SELECT s.msisdn, s.language, 1 FROM outage_subscriptions s
		WHERE s.area = $2 AND NOT EXISTS (SELECT 1 FROM sms_optouts x WHERE x.msisdn = s.msisdn)
		AND NOT EXISTS (SELECT 1 FROM outage_notices n WHERE n.event_id = $3 AND n.msisdn = s.msisdn)`, o.Place, o.Area, eventID)
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
