package outreach

import (
	"context"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// ReminderDay is one day's low-credit reminders (East Africa Time).
type ReminderDay struct {
	Day      time.Time // midnight EAT
	Meters   int       // meters reminded
	Messages int       // SMS written (a meter's phones, less those that sent STOP)
}

// NoticeRun is the notices of one tariff version.
type NoticeRun struct {
	TariffID      string
	EffectiveFrom time.Time
	Phones        int
	First, Last   time.Time // when the first and the last were written
}

// microsPerDay and eatMicros turn a stored time into an EAT day number in
// SQL, the same way on both engines.
const (
	microsPerDay = 24 * 60 * 60 * 1000000
	eatMicros    = 3 * 60 * 60 * 1000000
)

// ReminderDays returns the reminders of each day since since, newest first.
func ReminderDays(ctx context.Context, db *store.DB, since time.Time) ([]ReminderDay, error) {
	rows, err := db.Read().QueryContext(ctx, fmt.Sprintf(`SELECT (sent_at + %d) / %d AS d, count(*), COALESCE(sum(phones), 0)
		FROM credit_reminders WHERE sent_at >= $1 GROUP BY (sent_at + %[1]d) / %[2]d ORDER BY d DESC`, eatMicros, microsPerDay), store.Micros(since))
	if err != nil {
		return nil, fmt.Errorf("reminders per day: %w", err)
	}
	defer rows.Close()
	var out []ReminderDay
	for rows.Next() {
		var d int64
		var r ReminderDay
		if err := rows.Scan(&d, &r.Meters, &r.Messages); err != nil {
			return nil, fmt.Errorf("reminders per day: %w", err)
		}
		r.Day = time.Unix(d*86400-3*60*60, 0).In(tariff.Zone)
		out = append(out, r)
	}
	return out, rows.Err()
}

// NoticeRuns returns the tariff notices written, per version, the latest
// versions first.
func NoticeRuns(ctx context.Context, db *store.DB, limit int) ([]NoticeRun, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT tariff_id, effective_from, count(*), min(sent_at), max(sent_at)
		FROM tariff_notices GROUP BY tariff_id, effective_from ORDER BY effective_from DESC, tariff_id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("tariff notices: %w", err)
	}
	defer rows.Close()
	var out []NoticeRun
	for rows.Next() {
		var n NoticeRun
		var eff, first, last int64
		if err := rows.Scan(&n.TariffID, &eff, &n.Phones, &first, &last); err != nil {
			return nil, fmt.Errorf("tariff notices: %w", err)
		}
		n.EffectiveFrom, n.First, n.Last = store.Time(eff), store.Time(first), store.Time(last)
		out = append(out, n)
	}
	return out, rows.Err()
}
