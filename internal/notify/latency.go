package notify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// Latency is how long messages of one lane took on one route: from queued
// to submitted, and to delivered where the receipt came.
type Latency struct {
	Lane, Route            string
	Sent, Delivered        int
	SentP50, SentP95       time.Duration
	DeliverP50, DeliverP95 time.Duration
}

// latencySample bounds the messages one lane and route are measured on:
// the newest, which is what an operator watching now wants.
const latencySample = 5000

// Latencies measures the messages queued since, per lane and route.
func Latencies(ctx context.Context, db *store.DB, since time.Time) ([]Latency, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT lane, route, submitted_at - queued_at, COALESCE(delivered_at - queued_at, -1) FROM messages
		WHERE queued_at > $1 AND submitted_at IS NOT NULL ORDER BY queued_at DESC LIMIT $2`, store.Micros(since), latencySample*4)
	if err != nil {
		return nil, fmt.Errorf("message latencies: %w", err)
	}
	defer rows.Close()
	type key struct{ lane, route string }
	sent, delivered := map[key][]int64{}, map[key][]int64{}
	var keys []key
	for rows.Next() {
		var k key
		var s, d int64
		if err := rows.Scan(&k.lane, &k.route, &s, &d); err != nil {
			return nil, err
		}
		if _, ok := sent[k]; !ok {
			keys = append(keys, k)
		}
		if len(sent[k]) < latencySample {
			sent[k] = append(sent[k], s)
			if d >= 0 {
				delivered[k] = append(delivered[k], d)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := Priority(a.lane) - Priority(b.lane); c != 0 {
			return c
		}
		if a.route < b.route {
			return -1
		}
		return 1
	})
	out := make([]Latency, 0, len(keys))
	for _, k := range keys {
		l := Latency{Lane: k.lane, Route: k.route, Sent: len(sent[k]), Delivered: len(delivered[k])}
		l.SentP50, l.SentP95 = percentile(sent[k], 50), percentile(sent[k], 95)
		l.DeliverP50, l.DeliverP95 = percentile(delivered[k], 50), percentile(delivered[k], 95)
		out = append(out, l)
	}
	return out, nil
}

// percentile is the nearest-rank percentile of microsecond durations.
func percentile(us []int64, p int) time.Duration {
	if len(us) == 0 {
		return 0
	}
	s := slices.Clone(us)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return time.Duration(s[max(i-1, 0)]) * time.Microsecond
}
