package notify

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// Incident kinds. A kind has at most one open incident at a time.
const (
	// KindDeliverySLO + lane: too many of the lane's messages missed
	// their delivery objective.
	KindDeliverySLO = "sms_delivery_slo:"
	// KindRouteSilent + route: the route takes messages but no receipts
	// come back.
	KindRouteSilent = "sms_route_silent:"
)

// Incident is a system problem staff should see: opened when detected,
// closed when it clears.
type Incident struct {
	ID       string
	Kind     string
	OpenedAt time.Time
	ClosedAt time.Time // zero while open
	Detail   string
}

// Open reports whether the incident is still open.
func (i Incident) Open() bool { return i.ClosedAt.IsZero() }

// Delivery reports whether the incident is about delivering messages (a
// lane missing its objective, a silent route), which customers may be told
// of, rather than about the system beneath (KindDatabaseHeld), which is
// for staff.
func (i Incident) Delivery() bool {
	return strings.HasPrefix(i.Kind, KindDeliverySLO) || strings.HasPrefix(i.Kind, KindRouteSilent)
}

const incidentColumns = `id, kind, opened_at, closed_at, detail`

// OpenIncidents returns the open incidents, oldest first.
func OpenIncidents(ctx context.Context, db *store.DB) ([]Incident, error) {
	return incidents(ctx, db, `SELECT `+incidentColumns+` FROM system_incidents WHERE closed_at IS NULL ORDER BY opened_at, id`)
}

// Incidents returns the newest incidents, open or closed, newest first.
func Incidents(ctx context.Context, db *store.DB, limit int) ([]Incident, error) {
	return incidents(ctx, db, `SELECT `+incidentColumns+` FROM system_incidents ORDER BY opened_at DESC, id DESC LIMIT $1`, limit)
}

func incidents(ctx context.Context, db *store.DB, q string, args ...any) ([]Incident, error) {
	rows, err := db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query incidents: %w", err)
	}
	defer rows.Close()
	var out []Incident
	for rows.Next() {
		var i Incident
		var opened int64
		var closed sql.NullInt64
		if err := rows.Scan(&i.ID, &i.Kind, &opened, &closed, &i.Detail); err != nil {
			return nil, fmt.Errorf("query incidents: %w", err)
		}
		i.OpenedAt, i.ClosedAt = store.Time(opened), store.NullTime(closed)
		out = append(out, i)
	}
	return out, rows.Err()
}

// openIncident opens an incident of kind unless one is open; it reports
// whether it opened one. While open, the detail follows the latest figures.
func openIncident(tx *store.Tx, kind, detail string) (bool, error) {
	res, err := tx.Exec(`UPDATE system_incidents SET detail = $2 WHERE kind = $1 AND closed_at IS NULL`, kind, detail)
	if err != nil {
		return false, fmt.Errorf("update incident %s: %w", kind, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return false, nil
	}
	res, err = tx.Exec(`INSERT INTO system_incidents (id, kind, opened_at, detail) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind) WHERE closed_at IS NULL DO NOTHING`,
		uuid.Must(uuid.NewV7()).String(), kind, store.Micros(tx.Now), detail)
	if err != nil {
		return false, fmt.Errorf("open incident %s: %w", kind, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// closeIncident closes the open incident of kind, if any, noting why.
func closeIncident(tx *store.Tx, kind, why string) (bool, error) {
	res, err := tx.Exec(`UPDATE system_incidents SET closed_at = $2, detail = detail || $3 WHERE kind = $1 AND closed_at IS NULL`,
		kind, store.Micros(tx.Now), " — closed: "+why)
	if err != nil {
		return false, fmt.Errorf("close incident %s: %w", kind, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
