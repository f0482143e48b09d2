package outage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// Grouping is how customers' "no power" reports become a suspected
// outage: Reports reports from different phones on one place (the finest
// the meters know: transformer, else feeder, else area) within Window.
type Grouping struct {
	Window  time.Duration // default 15 minutes
	Reports int           // default 3
}

func (g Grouping) withDefaults() Grouping {
	if g.Window <= 0 {
		g.Window = 15 * time.Minute
	}
	if g.Reports <= 0 {
		g.Reports = 3
	}
	return g
}

// Report is what became of one "no power" report.
type Report struct {
	// Known is the confirmed outage that already covers the meter, when
	// one does: the customer is told so.
	Known Outage
	// Suspected is the suspected outage the report made or joined.
	Suspected Outage
}

// ErrNoMeter is a report about a meter Mteja does not know.
var ErrNoMeter = errors.New("no such meter")

// ReportNoPower records a report from msisdn that meter drn has no power,
// by channel (ussd, sms), and groups it with the reports near it.
func ReportNoPower(ctx context.Context, db *store.DB, g Grouping, msisdn, drn, channel string) (Report, error) {
	g = g.withDefaults()
	var r Report
	err := db.InTx(ctx, func(tx *store.Tx) error {
		r = Report{}
		var area, feeder, transformer string
		err := tx.QueryRow(`SELECT area, feeder, transformer FROM meters WHERE drn = $1`, drn).Scan(&area, &feeder, &transformer)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("meter %s: %w", drn, ErrNoMeter)
		}
		if err != nil {
			return err
		}
		known, err := covering(tx, area, feeder, transformer)
		if err != nil {
			return err
		}
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := tx.Exec(`INSERT INTO outage_reports (id, msisdn, drn, area, feeder, transformer, channel, outage_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, msisdn, drn, area, feeder, transformer, channel, known.ID, store.Micros(tx.Now)); err != nil {
			return fmt.Errorf("record report: %w", err)
		}
		if known.ID != "" {
			r.Known = known
			return nil
		}
		level, place := LevelArea, area
		switch {
		case transformer != "":
			level, place = LevelTransformer, transformer
		case feeder != "":
			level, place = LevelFeeder, feeder
		}
		r.Suspected, err = group(tx, g, level, place, area)
		return err
	})
	if err != nil {
		return Report{}, fmt.Errorf("no-power report for %s: %w", drn, err)
	}
	return r, nil
}

// covering returns the confirmed outage in force on any level above a
// meter, or a zero Outage.
func covering(tx *store.Tx, area, feeder, transformer string) (Outage, error) {
	o, err := scan(tx.QueryRow(`SELECT `+columns+` FROM outages WHERE state = 'confirmed' AND restored_at IS NULL AND starts_at <= $1
		AND ((level = 'area' AND place = $2) OR (level = 'feeder' AND place = $3 AND $3 <> '') OR (level = 'transformer' AND place = $4 AND $4 <> ''))
		ORDER BY starts_at LIMIT 1`, store.Micros(tx.Now), area, feeder, transformer))
	if errors.Is(err, sql.ErrNoRows) {
		return Outage{}, nil
	}
	return o, err
}

// group joins the ungrouped reports of a place to its suspected outage,
// making one when enough phones reported within the window.
func group(tx *store.Tx, g Grouping, level, place, area string) (Outage, error) {
	col, err := column(level)
	if err != nil {
		return Outage{}, err
	}
	since := store.Micros(tx.Now.Add(-g.Window))
	var phones int
	var first int64
	if err := tx.QueryRow(`SELECT count(DISTINCT msisdn), COALESCE(MIN(created_at), 0) FROM outage_reports WHERE `+col+` = $1 AND outage_id = '' AND created_at > $2`,
		place, since).Scan(&phones, &first); err != nil {
		return Outage{}, fmt.Errorf("count reports: %w", err)
	}
	s, err := suspected(tx, level, place)
	if err != nil {
		return Outage{}, err
	}
	if s.ID == "" {
		if phones < g.Reports {
			return Outage{}, nil
		}
		// Two nodes may both get here: the unique index keeps one.
		if _, err := tx.Exec(`INSERT INTO outages (id, area, kind, message, message_sw, starts_at, created_at, created_by, level, place, state)
			VALUES ($1, $2, 'fault', '', '', $3, $4, 'reports', $5, $6, 'suspected') ON CONFLICT (level, place) WHERE state = 'suspected' DO NOTHING`,
			uuid.Must(uuid.NewV7()).String(), area, first, store.Micros(tx.Now), level, place); err != nil {
			return Outage{}, fmt.Errorf("suspect outage: %w", err)
		}
		if s, err = suspected(tx, level, place); err != nil {
			return Outage{}, err
		}
	}
	if _, err := tx.Exec(`UPDATE outage_reports SET outage_id = $1 WHERE `+col+` = $2 AND outage_id = '' AND created_at > $3`, s.ID, place, since); err != nil {
		return Outage{}, fmt.Errorf("group reports: %w", err)
	}
	return get(tx, s.ID, false)
}

func suspected(tx *store.Tx, level, place string) (Outage, error) {
	o, err := scan(tx.QueryRow(`SELECT `+columns+` FROM outages WHERE state = 'suspected' AND level = $1 AND place = $2`, level, place))
	if errors.Is(err, sql.ErrNoRows) {
		return Outage{}, nil
	}
	return o, err
}
