package outage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// Levels of the network an outage is declared on.
const (
	LevelArea        = "area"
	LevelFeeder      = "feeder"
	LevelTransformer = "transformer"
)

// Kinds of outage.
const (
	KindPlanned = "planned"
	KindFault   = "fault" // unplanned
)

// States of an outage.
const (
	StateSuspected = "suspected" // grown from reports, for staff to confirm
	StateConfirmed = "confirmed"
	StateDismissed = "dismissed"
)

// Outage is an interruption of supply on one place of the network.
type Outage struct {
	ID          string
	Level       string // area, feeder, transformer
	Place       string // the area's, feeder's or transformer's name
	Area        string // the area customers see it under
	Kind        string // planned, fault
	State       string
	Message     string // staff's words, optional
	MessageSW   string
	StartsAt    time.Time
	ETR         time.Time // estimated restoration; zero when unknown
	RestoredAt  time.Time
	ConfirmedAt time.Time
	CreatedBy   string
	Reports     int // "no power" reports grouped into it
}

// Open reports whether the outage is still to be restored and not dismissed.
func (o Outage) Open() bool { return o.RestoredAt.IsZero() && o.State != StateDismissed }

// column is the meters column a level names.
func column(level string) (string, error) {
	switch level {
	case LevelArea, LevelFeeder, LevelTransformer:
		return level, nil
	}
	return "", fmt.Errorf("level %q: want area, feeder or transformer", level)
}

// ErrInvalid is a declaration or change that cannot be made; its text
// says why and is fit to show staff.
var ErrInvalid = errors.New("invalid")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Declare records a confirmed outage declared by staff (by): planned work
// gets its notices 48 h and 2 h ahead, an unplanned one its first notice
// now. The area is found from the meters when the level is below it.
func Declare(ctx context.Context, db *store.DB, o Outage, by string) (Outage, error) {
	o.Place, o.Area = strings.TrimSpace(o.Place), strings.TrimSpace(o.Area)
	if o.Level == "" {
		o.Level = LevelArea
	}
	col, err := column(o.Level)
	if err != nil {
		return Outage{}, invalid("%s", err)
	}
	if o.Place == "" {
		return Outage{}, invalid("name the %s", o.Level)
	}
	if o.Kind == "" {
		o.Kind = KindFault
	}
	if o.Kind != KindFault && o.Kind != KindPlanned {
		return Outage{}, invalid("kind %q: want planned or fault", o.Kind)
	}
	o.ID, o.State, o.CreatedBy = uuid.Must(uuid.NewV7()).String(), StateConfirmed, by
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if o.StartsAt.IsZero() {
			o.StartsAt = tx.Now
		}
		if o.Kind == KindPlanned && !o.StartsAt.After(tx.Now) {
			return invalid("planned work starts in the future")
		}
		if !o.ETR.IsZero() && !o.ETR.After(o.StartsAt) {
			return invalid("the restoration time must be after the start")
		}
		if o.Level == LevelArea {
			o.Area = o.Place
		} else if o.Area == "" {
			if err := tx.QueryRow(`SELECT COALESCE(MIN(area), '') FROM meters WHERE `+col+` = $1`, o.Place).Scan(&o.Area); err != nil {
				return fmt.Errorf("area of %s %s: %w", o.Level, o.Place, err)
			}
			if o.Area == "" {
				return invalid("no meter is on %s %s: import or edit the meters' network place first", o.Level, o.Place)
			}
		}
		o.ConfirmedAt = tx.Now
		describe(&o)
		if err := insert(tx, o); err != nil {
			return err
		}
		return scheduleFirst(tx, o)
	})
	if err != nil {
		return Outage{}, fmt.Errorf("declare outage on %s %s: %w", o.Level, o.Place, err)
	}
	return o, nil
}

// describe gives an outage without staff's words the words customers see
// where outages are listed (the portal's outages page, the app's).
func describe(o *Outage) {
	key := "desc_" + o.Kind
	if o.Message == "" {
		o.Message = text("en", key, o.Area, placeSuffix("en", *o))
	}
	if o.MessageSW == "" {
		o.MessageSW = text("sw", key, o.Area, placeSuffix("sw", *o))
	}
}

func insert(tx *store.Tx, o Outage) error {
	var etr, confirmed any
	if !o.ETR.IsZero() {
		etr = store.Micros(o.ETR)
	}
	if !o.ConfirmedAt.IsZero() {
		confirmed = store.Micros(o.ConfirmedAt)
	}
	_, err := tx.Exec(`INSERT INTO outages (id, area, kind, message, message_sw, starts_at, ends_at, created_at, created_by, level, place, state, confirmed_at, confirmed_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $9)`,
		o.ID, o.Area, o.Kind, o.Message, o.MessageSW, store.Micros(o.StartsAt), etr, store.Micros(tx.Now), o.CreatedBy, o.Level, o.Place, o.State, confirmed)
	if err != nil {
		return fmt.Errorf("insert outage: %w", err)
	}
	return nil
}

// scheduleFirst adds the events a newly confirmed outage brings: planned
// work's notices ahead (the 48 h one only when there is time for both),
// or an unplanned outage's first notice now.
func scheduleFirst(tx *store.Tx, o Outage) error {
	if o.Kind == KindFault {
		return addEvent(tx, o.ID, EventStarted, tx.Now)
	}
	ahead := o.StartsAt.Sub(tx.Now)
	if ahead > 2*time.Hour {
		if err := addEvent(tx, o.ID, EventAhead48, maxTime(tx.Now, o.StartsAt.Add(-48*time.Hour))); err != nil {
			return err
		}
	}
	return addEvent(tx, o.ID, EventAhead2, maxTime(tx.Now, o.StartsAt.Add(-2*time.Hour)))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Confirm makes a suspected outage a confirmed unplanned one: its
// customers get the first notice now.
func Confirm(ctx context.Context, db *store.DB, id, by string) error {
	return change(ctx, db, id, "confirm", func(tx *store.Tx, o Outage) error {
		if o.State != StateSuspected {
			return invalid("outage is %s, not suspected", o.State)
		}
		describe(&o)
		if _, err := tx.Exec(`UPDATE outages SET state = $2, confirmed_at = $3, confirmed_by = $4, message = $5, message_sw = $6 WHERE id = $1`,
			id, StateConfirmed, store.Micros(tx.Now), by, o.Message, o.MessageSW); err != nil {
			return err
		}
		return addEvent(tx, id, EventStarted, tx.Now)
	})
}

// Dismiss sets a suspected outage aside: no one is told.
func Dismiss(ctx context.Context, db *store.DB, id, by string) error {
	return change(ctx, db, id, "dismiss", func(tx *store.Tx, o Outage) error {
		if o.State != StateSuspected {
			return invalid("outage is %s, not suspected", o.State)
		}
		_, err := tx.Exec(`UPDATE outages SET state = $2, confirmed_by = $3 WHERE id = $1`, id, StateDismissed, by)
		return err
	})
}

// SetETR changes the estimated restoration time; the customers are told
// (after quiet hours).
func SetETR(ctx context.Context, db *store.DB, id string, etr time.Time, by string) error {
	return change(ctx, db, id, "set restoration time of", func(tx *store.Tx, o Outage) error {
		if o.State != StateConfirmed || !o.RestoredAt.IsZero() {
			return invalid("only an open confirmed outage has a restoration time")
		}
		if !etr.After(tx.Now) || !etr.After(o.StartsAt) {
			return invalid("the restoration time must be later than now and the start")
		}
		if _, err := tx.Exec(`UPDATE outages SET ends_at = $2 WHERE id = $1`, id, store.Micros(etr)); err != nil {
			return err
		}
		if o.Kind == KindPlanned && o.StartsAt.After(tx.Now) {
			return nil // the notices ahead carry it
		}
		return addEvent(tx, id, EventETR, tx.Now)
	})
}

// Restore marks the outage over; the customers are told and asked to
// reply 1 if they still have no power.
func Restore(ctx context.Context, db *store.DB, id, by string) error {
	return change(ctx, db, id, "restore", func(tx *store.Tx, o Outage) error {
		if o.State != StateConfirmed || !o.RestoredAt.IsZero() {
			return invalid("only an open confirmed outage can be restored")
		}
		if _, err := tx.Exec(`UPDATE outages SET restored_at = $2 WHERE id = $1`, id, store.Micros(tx.Now)); err != nil {
			return err
		}
		if o.Kind == KindPlanned && o.StartsAt.After(tx.Now) {
			return nil // called off before it began: the notices ahead are skipped
		}
		return addEvent(tx, id, EventRestored, tx.Now)
	})
}

func change(ctx context.Context, db *store.DB, id, what string, fn func(tx *store.Tx, o Outage) error) error {
	err := db.InTx(ctx, func(tx *store.Tx) error {
		o, err := get(tx, id, true)
		if err != nil {
			return err
		}
		return fn(tx, o)
	})
	if err != nil {
		return fmt.Errorf("%s outage %s: %w", what, id, err)
	}
	return nil
}

const columns = `id, level, place, area, kind, state, message, message_sw, starts_at, ends_at, restored_at, confirmed_at, created_by,
	(SELECT count(*) FROM outage_reports r WHERE r.outage_id = outages.id)`

func scan(sc interface{ Scan(...any) error }) (Outage, error) {
	var o Outage
	var starts int64
	var etr, restored, confirmed sql.NullInt64
	err := sc.Scan(&o.ID, &o.Level, &o.Place, &o.Area, &o.Kind, &o.State, &o.Message, &o.MessageSW, &starts, &etr, &restored, &confirmed, &o.CreatedBy, &o.Reports)
	o.StartsAt, o.ETR, o.RestoredAt, o.ConfirmedAt = store.Time(starts), store.NullTime(etr), store.NullTime(restored), store.NullTime(confirmed)
	return o, err
}

func get(tx *store.Tx, id string, lock bool) (Outage, error) {
	q := `SELECT ` + columns + ` FROM outages WHERE id = $1`
	if lock {
		q += ` ` + tx.ForUpdate()
	}
	o, err := scan(tx.QueryRow(q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Outage{}, store.NotFound(err, "outage "+id)
	}
	return o, err
}

// Get returns one outage.
func Get(ctx context.Context, db *store.DB, id string) (Outage, error) {
	o, err := scan(db.Read().QueryRowContext(ctx, `SELECT `+columns+` FROM outages WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Outage{}, store.NotFound(err, "outage "+id)
	}
	return o, err
}

// List returns the outages not yet restored (suspected, in force,
// planned), by area and soonest first, then the ones restored since since.
func List(ctx context.Context, db *store.DB, since time.Time) ([]Outage, error) {
	return query(ctx, db, `WHERE state <> 'dismissed' AND (restored_at IS NULL OR restored_at > $1) ORDER BY area, starts_at, id`, store.Micros(since))
}

func query(ctx context.Context, db *store.DB, where string, args ...any) ([]Outage, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT `+columns+` FROM outages `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("outages: %w", err)
	}
	defer rows.Close()
	var out []Outage
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("outages: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
