package isp

import (
	"context"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/store"
)

// billed is a live subscription as an accounting batch bills it.
type billed struct {
	Subscription
	dirty bool
}

// lockUsage locks the live subscriptions of the batch's subscribers, in
// id order, and reads their plans.
func lockUsage(ctx context.Context, tx *store.Tx, users map[string]string) (map[string]*billed, map[string]Plan, error) {
	ids := make([]string, 0, len(users))
	for _, id := range users {
		ids = append(ids, id)
	}
	subs := map[string]*billed{}
	plans := map[string]Plan{}
	if len(ids) == 0 {
		return subs, plans, nil
	}
	var args []any
	rows, err := tx.Query(`SELECT `+subscriptionColumns+` FROM isp_subscriptions WHERE subscriber_id IN (`+store.In(&args, ids)+`) AND state <> 'terminated' ORDER BY id `+tx.ForUpdate(), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("accounting: lock subscriptions: %w", err)
	}
	var planIDs []string
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			rows.Close()
			return nil, nil, err
		}
		subs[sub.SubscriberID] = &billed{Subscription: sub}
		planIDs = append(planIDs, sub.PlanID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	args = nil
	prow, err := tx.Query(`SELECT `+planColumns+` FROM isp_plans WHERE id IN (`+store.In(&args, planIDs)+`)`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("accounting: plans: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		p, err := scanPlan(prow)
		if err != nil {
			return nil, nil, err
		}
		plans[p.ID] = p
	}
	return subs, plans, prow.Err()
}

// writeUsage writes back, in one statement, what billing a batch changed
// of its subscriptions: the data used, fair use, the alerts sent. (An
// upsert of rows that all exist: both engines take it, where an UPDATE of
// many rows with their own values is written differently by each.)
func writeUsage(tx *store.Tx, subs map[string]*billed) error {
	var b strings.Builder
	var args []any
	for _, sub := range subs {
		if !sub.dirty {
			continue
		}
		if len(args) > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%s)", store.Placeholders(len(args)+1, 9))
		args = append(args, sub.ID, sub.SubscriberID, sub.PlanID, sub.State, sub.DataUsed, boolInt(sub.Throttled), sub.alerts,
			store.Micros(sub.CreatedAt), store.Micros(tx.Now))
	}
	if len(args) == 0 {
		return nil
	}
	_, err := tx.Exec(`INSERT INTO isp_subscriptions (id, subscriber_id, plan_id, state, data_used, throttled, alerts, created_at, updated_at) VALUES `+b.String()+`
		ON CONFLICT (id) DO UPDATE SET data_used = excluded.data_used, throttled = excluded.throttled, alerts = excluded.alerts, updated_at = excluded.updated_at`, args...)
	if err != nil {
		return fmt.Errorf("accounting: write usage: %w", err)
	}
	return nil
}

// What a packet's bytes crossed.
const (
	crossedFairUse = iota
	crossed80
	crossedLimit
)

type usageEvent struct {
	kind         int
	subscriberID string
	planID       string
	session      string // the session whose packet crossed it
	rec          int    // its packet's place in the batch
}

// bill adds a packet's bytes to sub and returns the thresholds they
// crossed: fair use (the packet's answer carries the lower rate), 80% of
// the period's data, and all of it.
func bill(sub *billed, plan Plan, delta int64, session string, rec int, res *radius.AcctResult) []usageEvent {
	sub.DataUsed += delta
	sub.dirty = true
	ev := func(kind int) usageEvent {
		return usageEvent{kind: kind, subscriberID: sub.SubscriberID, planID: sub.PlanID, session: session, rec: rec}
	}
	var out []usageEvent
	if plan.FairUseAfter > 0 && !sub.Throttled && sub.DataUsed >= plan.FairUseAfter {
		sub.Throttled = true
		res.NewRateLimit = plan.FairUseRate.String()
		out = append(out, ev(crossedFairUse))
	}
	if sub.DataLimit > 0 {
		switch {
		case sub.DataUsed >= sub.DataLimit && sub.alerts&alertData100 == 0:
			sub.alerts |= alertData80 | alertData100
			out = append(out, ev(crossedLimit))
		case sub.DataUsed >= sub.DataLimit/5*4 && sub.alerts&alertData80 == 0:
			sub.alerts |= alertData80
			out = append(out, ev(crossed80))
		}
	}
	return out
}

// usageEvent acts on a threshold a packet crossed, in its batch's
// transaction: the subscriber's other sessions slow down with it (fair
// use), or are told (80%), or the period ends (all of it: renewed from
// the wallet, or this session is disconnected and the others with it).
func (s *Service) usageEvent(ctx context.Context, tx *store.Tx, e usageEvent, sub *billed, plans map[string]Plan, res *radius.AcctResult) error {
	plan := plans[e.planID]
	if sub.PlanID != e.planID || (sub.State != Active && sub.State != Grace) {
		return nil // an earlier event of the batch ended that period
	}
	switch e.kind {
	case crossedFairUse:
		return s.changeSpeed(tx, sub.SubscriberID, plan.FairUseRate, e.session, "fair use: past "+Bytes(plan.FairUseAfter)+" this period")
	case crossed80:
		return s.tellAbout(ctx, tx, sub.Subscription, plan, "data80", func(m *message) { m.Left = Bytes(max(sub.DataLimit-sub.DataUsed, 0)) })
	}
	out, err := s.endPeriod(ctx, tx, &sub.Subscription, plan, false, why{actor: "radius", session: e.session})
	if err != nil {
		return err
	}
	if out != renewed {
		res.Disconnect, res.NewRateLimit = true, ""
	}
	return nil
}

// Bytes writes a size as people read it, in decimal units: "1.50 GB",
// "820 MB".
func Bytes(n int64) string {
	switch {
	case n >= GB:
		return fmt.Sprintf("%d.%02d GB", n/GB, n%GB/(GB/100))
	case n >= MB:
		return fmt.Sprintf("%d MB", n/MB)
	case n >= 1000:
		return fmt.Sprintf("%d kB", n/1000)
	}
	return fmt.Sprintf("%d B", n)
}
