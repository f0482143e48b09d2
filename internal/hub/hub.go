// Package hub is care hubs: places where an attendant serves walk-in
// customers. A hub keeps a queue of numbered tickets, timing each
// customer's wait and service; its attendants, staff users of the hub role,
// open assisted sessions with a customer's consent (package login) and
// answer "where is my token?" from one screen (Lookup).
package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// Hub is one place where walk-in customers are served.
type Hub struct {
	ID   string
	Name string // "Kisumu Central"
	Area string // the service area it stands in, as meters name theirs
}

// Errors about hubs; each says what to do.
var (
	ErrBadName = errors.New("a hub's name is 2 to 60 characters")
	ErrTaken   = errors.New("a hub of that name exists")
	ErrNoHub   = errors.New("this staff user belongs to no hub: an admin attaches them to one")
)

const hubColumns = `id, name, area`

func scanHub(row interface{ Scan(...any) error }) (Hub, error) {
	var h Hub
	err := row.Scan(&h.ID, &h.Name, &h.Area)
	return h, err
}

// Create adds a hub. Names are unique whatever their case.
func Create(ctx context.Context, db *store.DB, name, area string) (Hub, error) {
	name, area = strings.TrimSpace(name), strings.TrimSpace(area)
	if n := utf8.RuneCountInString(name); n < 2 || n > 60 {
		return Hub{}, ErrBadName
	}
	h := Hub{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Area: store.Truncate(area, 80)}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM hubs WHERE lower(name) = lower($1)`, name).Scan(&n); err != nil {
			return fmt.Errorf("check hub name: %w", err)
		}
		if n > 0 {
			return ErrTaken
		}
		_, err := tx.Exec(`INSERT INTO hubs (id, name, area, created_at) VALUES ($1, $2, $3, $4)`, h.ID, h.Name, h.Area, store.Micros(tx.Now))
		return err
	})
	if err != nil {
		return Hub{}, fmt.Errorf("create hub %q: %w", name, err)
	}
	return h, nil
}

// List returns every hub by name.
func List(ctx context.Context, db *store.DB) ([]Hub, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT `+hubColumns+` FROM hubs ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list hubs: %w", err)
	}
	defer rows.Close()
	var out []Hub
	for rows.Next() {
		h, err := scanHub(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Get returns the hub with id, or store.ErrNotFound.
func Get(ctx context.Context, db *store.DB, id string) (Hub, error) {
	h, err := scanHub(db.Read().QueryRowContext(ctx, `SELECT `+hubColumns+` FROM hubs WHERE id = $1`, id))
	return h, store.NotFound(err, "hub "+id)
}

// ByName returns the hub named name (any case), or store.ErrNotFound.
func ByName(ctx context.Context, db *store.DB, name string) (Hub, error) {
	h, err := scanHub(db.Read().QueryRowContext(ctx, `SELECT `+hubColumns+` FROM hubs WHERE lower(name) = lower($1)`, strings.TrimSpace(name)))
	return h, store.NotFound(err, "hub "+name)
}

// Attach makes the staff user userID an attendant of hub (of that hub
// only: a user belongs to one hub at a time).
func Attach(ctx context.Context, db *store.DB, userID, hubID string) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO hub_staff (user_id, hub_id) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET hub_id = excluded.hub_id`, userID, hubID)
		if err != nil {
			return fmt.Errorf("attach user to hub: %w", err)
		}
		return nil
	})
}

// Of returns the hub the staff user userID serves at, or ErrNoHub.
func Of(ctx context.Context, db *store.DB, userID string) (Hub, error) {
	h, err := scanHub(db.Read().QueryRowContext(ctx, `SELECT h.id, h.name, h.area FROM hub_staff s JOIN hubs h ON h.id = s.hub_id WHERE s.user_id = $1`, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Hub{}, ErrNoHub
	}
	if err != nil {
		return Hub{}, fmt.Errorf("hub of user: %w", err)
	}
	return h, nil
}
