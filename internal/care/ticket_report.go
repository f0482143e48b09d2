package care

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// Durations sums up how long something took over a month's tickets.
type Durations struct {
	Count         int
	Median, P90   time.Duration
	Mean, Longest time.Duration
}

func durationsOf(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	// Nearest rank: the smallest value at or above the share asked for.
	rank := func(p int) time.Duration { return ds[(len(ds)*p+99)/100-1] }
	return Durations{Count: len(ds), Median: rank(50), P90: rank(90), Mean: sum / time.Duration(len(ds)), Longest: ds[len(ds)-1]}
}

// TicketMonth is a month of tickets (a calendar month in Nairobi): how many
// came in by category and by channel, how long the first answer from a
// person took and how long resolving them took.
type TicketMonth struct {
	From, To      time.Time // the month in Nairobi, [From, To)
	Total         int
	ByCategory    map[string]int
	ByChannel     map[string]int
	Counts        map[string]map[string]int // [category][channel]
	FirstResponse Durations                 // opened → first reply from staff
	Resolution    Durations                 // opened → resolved
	SelfResolved  int                       // resolved with no reply from staff
	Unanswered    int                       // still active with no reply from staff
}

// MonthReport reports on the tickets opened in the Nairobi calendar month
// holding month.
func MonthReport(ctx context.Context, q Querier, month time.Time) (TicketMonth, error) {
	m := month.In(tariff.Zone)
	from := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, tariff.Zone)
	r := TicketMonth{From: from, To: from.AddDate(0, 1, 0), ByCategory: map[string]int{}, ByChannel: map[string]int{}, Counts: map[string]map[string]int{}}
	rows, err := q.QueryContext(ctx, `SELECT category, channel, state, created_at, first_response_at, resolved_at FROM tickets WHERE created_at >= $1 AND created_at < $2`,
		store.Micros(r.From), store.Micros(r.To))
	if err != nil {
		return TicketMonth{}, fmt.Errorf("ticket report: %w", err)
	}
	defer rows.Close()
	var first, resolution []time.Duration
	for rows.Next() {
		var cat, ch, state string
		var created int64
		var answered, resolved sql.NullInt64
		if err := rows.Scan(&cat, &ch, &state, &created, &answered, &resolved); err != nil {
			return TicketMonth{}, fmt.Errorf("ticket report: %w", err)
		}
		r.Total++
		r.ByCategory[cat]++
		r.ByChannel[ch]++
		if r.Counts[cat] == nil {
			r.Counts[cat] = map[string]int{}
		}
		r.Counts[cat][ch]++
		if answered.Valid {
			first = append(first, time.Duration(answered.Int64-created)*time.Microsecond)
		}
		if resolved.Valid {
			resolution = append(resolution, time.Duration(resolved.Int64-created)*time.Microsecond)
		}
		switch {
		case resolved.Valid && !answered.Valid:
			r.SelfResolved++
		case Active(state) && !answered.Valid:
			r.Unanswered++
		}
	}
	if err := rows.Err(); err != nil {
		return TicketMonth{}, fmt.Errorf("ticket report: %w", err)
	}
	r.FirstResponse, r.Resolution = durationsOf(first), durationsOf(resolution)
	return r, nil
}
