package outage

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// Events customers are told of.
const (
	EventStarted  = "started"  // an unplanned outage confirmed
	EventETR      = "etr"      // its estimated restoration time changed
	EventRestored = "restored" // power is back
	EventAhead48  = "ahead48"  // planned work in 48 hours
	EventAhead2   = "ahead2"   // planned work in 2 hours
)

// urgent reports whether an event's notice may go in quiet hours (see the
// package documentation for why).
func urgent(kind string) bool {
	return kind == EventStarted || kind == EventRestored
}

// addEvent schedules an event's notices for due, in the transaction that
// made the change. The same event at the same time is one event.
func addEvent(tx *store.Tx, outageID, kind string, due time.Time) error {
	_, err := tx.Exec(`INSERT INTO outage_events (id, outage_id, kind, due_at, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (outage_id, kind, due_at) DO NOTHING`,
		uuid.Must(uuid.NewV7()).String(), outageID, kind, store.Micros(due), store.Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("schedule %s notice: %w", kind, err)
	}
	return nil
}
