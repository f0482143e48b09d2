package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
)

var outcomes = []string{notify.StateQueued, notify.StateSubmitted, notify.StateDelivered, notify.StateFailed, notify.StateExpired}

var outcomeLabels = map[string]Label{
	notify.StateQueued:    {"Queued", "Zinasubiri"},
	notify.StateSubmitted: {"Sent, no receipt", "Zimetumwa, bila risiti"},
	notify.StateDelivered: {"Delivered", "Zimefika"},
	notify.StateFailed:    {"Failed", "Zimeshindwa"},
	notify.StateExpired:   {"Expired", "Muda umeisha"},
}

var laneLabels = map[string]Label{
	notify.LaneToken:         {"Tokens", "Tokeni"},
	notify.LaneOTP:           {"Login codes", "Nambari za kuingia"},
	notify.LaneTransactional: {"Replies and receipts", "Majibu na risiti"},
	notify.LaneBulk:          {"Notices", "Matangazo"},
}

type messageKey struct{ route, lane, state string }

// Messages counts the messages queued in the period by the route that
// took them (none while still queued), lane and outcome so far.
func Messages(ctx context.Context, q Querier, r Range) (Table, error) {
	if err := r.check(); err != nil {
		return Table{}, err
	}
	from, to := r.micros()
	// Naming the lanes lets both engines read the period from the
	// (lane, queued_at) index.
	args := []any{from, to}
	for _, l := range notify.Lanes {
		args = append(args, l)
	}
	counts := map[messageKey]int64{}
	err := scanRows(ctx, q, `SELECT route, lane, state, count(*) FROM messages
		WHERE queued_at >= $1 AND queued_at < $2 AND lane IN (`+store.Placeholders(3, len(notify.Lanes))+`)
		GROUP BY route, lane, state`, args,
		func(scan func(...any) error) error {
			var k messageKey
			var n int64
			if err := scan(&k.route, &k.lane, &k.state, &n); err != nil {
				return err
			}
			counts[k] += n
			return nil
		})
	if err != nil {
		return Table{}, fmt.Errorf("messages report: %w", err)
	}
	keys := make([]messageKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b messageKey) int {
		return cmp.Or(cmp.Compare(a.route, b.route), cmp.Compare(notify.Priority(a.lane), notify.Priority(b.lane)), cmp.Compare(a.lane, b.lane),
			cmp.Compare(rank(outcomes, a.state), rank(outcomes, b.state)), cmp.Compare(a.state, b.state))
	})
	t := Table{ID: "messages", Title: titleMessages,
		Note: Label{"Messages queued in the period, by where they stand now.", "Jumbe zilizopangwa katika kipindi, kwa hali yao sasa."},
		Columns: []Column{
			{"route", Label{"Route", "Njia"}, Text},
			{"lane", Label{"Lane", "Aina"}, Text},
			{"outcome", Label{"Outcome", "Matokeo"}, Text},
			{"messages", Label{"Messages", "Jumbe"}, Count}}}
	// The chart has one bar per route and lane, stacked by outcome.
	p := Plot{ID: "messages-outcomes", Title: titleMessages, Kind: Stacked, Unit: Count}
	bars := map[[2]string]int{}
	for _, k := range keys {
		t.Rows = append(t.Rows, []Cell{textCell(k.route, labelOr(nil, k.route)), textCell(k.lane, labelOr(laneLabels, k.lane)),
			textCell(k.state, labelOr(outcomeLabels, k.state)), num(counts[k])})
		bar := [2]string{k.route, k.lane}
		if _, ok := bars[bar]; !ok {
			bars[bar] = len(p.X)
			route, lane := labelOr(nil, k.route), labelOr(laneLabels, k.lane)
			p.X = append(p.X, Label{route.EN + "\n" + lane.EN, route.SW + "\n" + lane.SW})
		}
	}
	for _, o := range outcomes {
		s := Series{Name: outcomeLabels[o], Values: make([]int64, len(p.X))}
		seen := false
		for _, k := range keys {
			if k.state == o {
				s.Values[bars[[2]string{k.route, k.lane}]] += counts[k]
				seen = true
			}
		}
		if seen {
			p.Series = append(p.Series, s)
		}
	}
	t.Plots = []Plot{p}
	return t, nil
}
