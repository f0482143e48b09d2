package care

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// Outage is a known interruption of supply in an area.
type Outage struct {
	ID         string
	Area       string
	Kind       string // planned, fault
	Message    string
	MessageSW  string
	StartsAt   time.Time
	EndsAt     time.Time // expected end; zero when unknown
	RestoredAt time.Time
}

// Text returns the outage's message in lang.
func (o Outage) Text(lang string) string {
	if lang == "sw" && o.MessageSW != "" {
		return o.MessageSW
	}
	return o.Message
}

// AnnounceOutage records an outage.
func AnnounceOutage(ctx context.Context, db *store.DB, o Outage, by string) (Outage, error) {
	if o.Area == "" || o.Message == "" {
		return Outage{}, fmt.Errorf("outage: area and message are required")
	}
	if o.Kind == "" {
		o.Kind = "fault"
	}
	o.ID = uuid.Must(uuid.NewV7()).String()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if o.StartsAt.IsZero() {
			o.StartsAt = tx.Now
		}
		var ends any
		if !o.EndsAt.IsZero() {
			ends = store.Micros(o.EndsAt)
		}
		_, err := tx.Exec(`INSERT INTO outages (id, area, kind, message, message_sw, starts_at, ends_at, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			o.ID, o.Area, o.Kind, o.Message, o.MessageSW, store.Micros(o.StartsAt), ends, store.Micros(tx.Now), by)
		return err
	})
	if err != nil {
		return Outage{}, fmt.Errorf("announce outage: %w", err)
	}
	return o, nil
}

// Restore marks an outage over.
func Restore(ctx context.Context, db *store.DB, id string) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE outages SET restored_at = $2 WHERE id = $1 AND restored_at IS NULL`, id, store.Micros(tx.Now))
		return err
	})
}

// CurrentOutages returns the outages in force (or planned within a day) in
// an area, soonest first.
func CurrentOutages(ctx context.Context, db *store.DB, area string, now time.Time) ([]Outage, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT id, area, kind, message, message_sw, starts_at, ends_at, restored_at FROM outages
		WHERE area = $1 AND state = 'confirmed' AND restored_at IS NULL AND starts_at <= $2 AND (ends_at IS NULL OR ends_at > $3) ORDER BY starts_at`,
		area, store.Micros(now.Add(24*time.Hour)), store.Micros(now))
	if err != nil {
		return nil, fmt.Errorf("outages in %s: %w", area, err)
	}
	defer rows.Close()
	var out []Outage
	for rows.Next() {
		var o Outage
		var starts int64
		var ends, restored sql.NullInt64
		if err := rows.Scan(&o.ID, &o.Area, &o.Kind, &o.Message, &o.MessageSW, &starts, &ends, &restored); err != nil {
			return nil, err
		}
		o.StartsAt, o.EndsAt, o.RestoredAt = store.Time(starts), store.NullTime(ends), store.NullTime(restored)
		out = append(out, o)
	}
	return out, rows.Err()
}
