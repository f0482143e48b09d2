package outage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// Reach is how an outage's first notice went out: from confirmation to
// the last of its messages handed to an SMS route.
type Reach struct {
	Told      int           // phones the first notice was queued to
	Sent      int           // of them, handed to a route so far
	Confirmed time.Time     // when staff confirmed or declared it
	LastSent  time.Time     // the last message's submission; zero before any
	Took      time.Duration // LastSent - Confirmed, once all are sent
}

// Done reports whether every first notice has been handed to a route.
func (r Reach) Done() bool { return r.Told > 0 && r.Sent == r.Told }

// Measure reads the reach of an outage's first notice (started, or the
// 48 h notice of planned work when there was one, else the 2 h one).
func Measure(ctx context.Context, db *store.DB, outageID string) (Reach, error) {
	var r Reach
	var confirmed, last sql.NullInt64
	err := db.Read().QueryRowContext(ctx, `SELECT o.confirmed_at, count(n.msisdn), count(m.submitted_at), MAX(m.submitted_at)
		FROM outages o LEFT JOIN outage_events e ON e.outage_id = o.id AND e.kind IN ('started', 'ahead48', 'ahead2')
		AND e.due_at = (SELECT MIN(due_at) FROM outage_events x WHERE x.outage_id = o.id AND x.kind IN ('started', 'ahead48', 'ahead2'))
		LEFT JOIN outage_notices n ON n.event_id = e.id LEFT JOIN messages m ON m.id = n.message_id
		WHERE o.id = $1 GROUP BY o.confirmed_at`, outageID).Scan(&confirmed, &r.Told, &r.Sent, &last)
	if err != nil {
		return Reach{}, fmt.Errorf("measure outage %s: %w", outageID, store.NotFound(err, "outage"))
	}
	r.Confirmed, r.LastSent = store.NullTime(confirmed), store.NullTime(last)
	if r.Done() && !r.Confirmed.IsZero() {
		r.Took = r.LastSent.Sub(r.Confirmed).Round(time.Millisecond)
	}
	return r, nil
}
