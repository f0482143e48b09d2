package hub

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// DayReport is one hub's day: how many came and were served, and how long
// they waited (issued to called) and were served (called to done).
type DayReport struct {
	Hub                    Hub
	Issued, Served         int
	WaitP50, WaitP90       time.Duration
	ServiceP50, ServiceP90 time.Duration
}

// Report returns every hub's report for the operator's calendar day
// (2006-01-02), hubs without a customer that day included.
func Report(ctx context.Context, db *store.DB, date string) ([]DayReport, error) {
	if _, err := time.Parse("2006-01-02", date); err != nil {
		return nil, fmt.Errorf("report day %q: want YYYY-MM-DD", date)
	}
	hubs, err := List(ctx, db)
	if err != nil {
		return nil, err
	}
	rows, err := db.Read().QueryContext(ctx, `SELECT `+ticketColumns+` FROM hub_tickets WHERE day = $1`, date)
	if err != nil {
		return nil, fmt.Errorf("hub report: %w", err)
	}
	defer rows.Close()
	byHub := map[string][]Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		byHub[t.HubID] = append(byHub[t.HubID], t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]DayReport, 0, len(hubs))
	for _, h := range hubs {
		r := DayReport{Hub: h}
		var waits, serves []time.Duration
		for _, t := range byHub[h.ID] {
			r.Issued++
			if !t.CalledAt.IsZero() {
				waits = append(waits, t.Waited())
			}
			if !t.DoneAt.IsZero() {
				r.Served++
				serves = append(serves, t.Served())
			}
		}
		r.WaitP50, r.WaitP90 = percentile(waits, 50), percentile(waits, 90)
		r.ServiceP50, r.ServiceP90 = percentile(serves, 50), percentile(serves, 90)
		out = append(out, r)
	}
	return out, nil
}

// percentile is the nearest-rank percentile p of ds: the smallest value
// with at least p% of them at or below it; zero for none.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 * n)
	return s[max(rank, 1)-1]
}
