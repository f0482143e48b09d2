package isp

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// Subscription states. A subscription is taken (pending), paid (active),
// may run past its period unpaid for a while (grace, monthly plans only),
// is suspended when it ends unpaid, and terminated for good by staff.
// A suspended or pending subscriber can still log in, into the walled
// garden, to pay.
const (
	Pending    = "pending"
	Active     = "active"
	Grace      = "grace"
	Suspended  = "suspended"
	Terminated = "terminated"
)

// moves lists the states each state may change to. A subscription that is
// not terminated may also change plan in the state it is in.
var moves = map[string][]string{
	Pending:   {Active, Terminated},
	Active:    {Grace, Suspended, Terminated},
	Grace:     {Active, Suspended, Terminated},
	Suspended: {Active, Terminated},
}

func canMove(from, to string) bool {
	if from == to {
		return from != Terminated
	}
	for _, s := range moves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Subscription is a subscriber's plan and where its period stands.
type Subscription struct {
	ID           string
	SubscriberID string
	PlanID       string
	State        string
	AnchorDay    int // monthly plans: the day of the month periods end on
	PeriodStart  time.Time
	EndsAt       time.Time // zero: no end
	GraceUntil   time.Time
	DataLimit    int64 // bytes this period; 0 unlimited
	DataUsed     int64
	Throttled    bool // past the fair-use threshold
	alerts       int  // usage alerts already sent this period
	CreatedAt    time.Time
}

// Usage alerts, as bits of alerts.
const (
	alertData80 = 1 << iota
	alertData100
	alertTime80
)

// exhausted reports whether the period's data is used up.
func (sub Subscription) exhausted() bool { return sub.DataLimit > 0 && sub.DataUsed >= sub.DataLimit }

// why is what a change of a subscription is recorded with: its reason and
// who made it, and the session (if any) whose accounting answer already
// carries the change to its router, which the queue then leaves out.
type why struct{ reason, actor, session string }

// HistoryEntry is one change of a subscription.
type HistoryEntry struct {
	From, To string
	PlanID   string
	Reason   string
	Actor    string
	At       time.Time
}

const subscriptionColumns = `id, subscriber_id, plan_id, state, anchor_day, period_start, ends_at, grace_until, data_limit, data_used, throttled, alerts, created_at`

func scanSubscription(sc interface{ Scan(...any) error }) (Subscription, error) {
	var sub Subscription
	var start, ends, grace, created int64
	var throttled int
	err := sc.Scan(&sub.ID, &sub.SubscriberID, &sub.PlanID, &sub.State, &sub.AnchorDay, &start, &ends, &grace, &sub.DataLimit, &sub.DataUsed,
		&throttled, &sub.alerts, &created)
	sub.PeriodStart, sub.EndsAt, sub.GraceUntil, sub.CreatedAt = store.Time(start), store.Time(ends), store.Time(grace), store.Time(created)
	sub.Throttled = throttled != 0
	return sub, err
}

// Live returns a subscriber's subscription that is not terminated.
func (s *Service) Live(ctx context.Context, subscriberID string) (Subscription, error) {
	return liveOf(ctx, s.DB.Read(), subscriberID, "")
}

// liveOf reads a subscriber's live subscription; lock is tx.ForUpdate() to
// lock it.
func liveOf(ctx context.Context, q querier, subscriberID, lock string) (Subscription, error) {
	sub, err := scanSubscription(q.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM isp_subscriptions WHERE subscriber_id = $1 AND state <> 'terminated' `+lock, subscriberID))
	return sub, store.NotFound(err, "live subscription of "+subscriberID)
}

func lockSubscription(tx *store.Tx, id string) (Subscription, error) {
	sub, err := scanSubscription(tx.QueryRow(`SELECT `+subscriptionColumns+` FROM isp_subscriptions WHERE id = $1 `+tx.ForUpdate(), id))
	return sub, store.NotFound(err, "subscription "+id)
}

// Subscribe gives a subscriber a plan, pending until paid. A subscriber
// has one live subscription: to change plan, buy another (or ChangePlan).
func (s *Service) Subscribe(ctx context.Context, subscriberID, planID, by string) (Subscription, error) {
	return inTx(ctx, s.DB, func(tx *store.Tx) (Subscription, error) {
		plan, err := getPlan(ctx, tx, planID)
		if err != nil {
			return Subscription{}, err
		}
		if !plan.Active {
			return Subscription{}, fmt.Errorf("plan %s: %w", planID, ErrPlanShut)
		}
		sub, err := subscribe(tx, subscriberID, planID)
		if err != nil {
			return Subscription{}, err
		}
		return sub, payment.Audit(tx, by, "isp.subscribe", sub.ID, "plan "+planID)
	})
}

func subscribe(tx *store.Tx, subscriberID, planID string) (Subscription, error) {
	sub := Subscription{ID: uuid.Must(uuid.NewV7()).String(), SubscriberID: subscriberID, PlanID: planID, State: Pending, CreatedAt: tx.Now}
	_, err := tx.Exec(`INSERT INTO isp_subscriptions (id, subscriber_id, plan_id, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
		sub.ID, subscriberID, planID, Pending, store.Micros(tx.Now))
	if store.IsUniqueViolation(err) {
		return Subscription{}, fmt.Errorf("subscriber %s has a live subscription already: %w", subscriberID, ErrState)
	}
	if err != nil {
		return Subscription{}, fmt.Errorf("subscribe %s to %s: %w", subscriberID, planID, err)
	}
	return sub, history(tx, sub, "", "subscribed", "")
}

// save writes every field of sub that billing changes.
func save(tx *store.Tx, sub Subscription) error {
	_, err := tx.Exec(`UPDATE isp_subscriptions SET plan_id = $2, state = $3, anchor_day = $4, period_start = $5, ends_at = $6, grace_until = $7,
		data_limit = $8, data_used = $9, throttled = $10, alerts = $11, updated_at = $12 WHERE id = $1`,
		sub.ID, sub.PlanID, sub.State, sub.AnchorDay, store.Micros(sub.PeriodStart), store.Micros(sub.EndsAt), store.Micros(sub.GraceUntil),
		sub.DataLimit, sub.DataUsed, boolInt(sub.Throttled), sub.alerts, store.Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("save subscription %s: %w", sub.ID, err)
	}
	return nil
}

// move saves sub, changed from what it was (from), in tx. A change of
// state or plan is recorded with its reason and who made it, with what the
// routers must be told: a subscriber leaving or
// entering service has their sessions disconnected, so that the next
// login is decided afresh (into or out of the walled garden); a change of
// plan in service changes the sessions' speed.
func (s *Service) move(tx *store.Tx, sub *Subscription, from Subscription, w why) error {
	changed := sub.State != from.State || sub.PlanID != from.PlanID
	if changed && !canMove(from.State, sub.State) {
		return fmt.Errorf("subscription %s: %s to %s: %w", sub.ID, from.State, sub.State, ErrState)
	}
	if err := save(tx, *sub); err != nil {
		return err
	}
	if !changed {
		return nil
	}
	if err := history(tx, *sub, from.State, w.reason, w.actor); err != nil {
		return err
	}
	inService := func(st string) bool { return st == Active || st == Grace }
	switch {
	case inService(from.State) != inService(sub.State):
		return s.disconnectAll(tx, sub.SubscriberID, w.session, w.reason)
	case sub.PlanID != from.PlanID && inService(sub.State):
		plan, err := getPlan(context.Background(), tx, sub.PlanID)
		if err != nil {
			return err
		}
		if speed := plan.speed(sub.Throttled); !speed.IsZero() {
			return s.changeSpeed(tx, sub.SubscriberID, speed, w.session, w.reason)
		}
		// A CoA cannot take a limit away: the sessions log in again.
		return s.disconnectAll(tx, sub.SubscriberID, w.session, w.reason)
	}
	return nil
}

func history(tx *store.Tx, sub Subscription, from, reason, actor string) error {
	_, err := tx.Exec(`INSERT INTO isp_subscription_history (id, subscription_id, from_state, to_state, plan_id, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		uuid.Must(uuid.NewV7()).String(), sub.ID, from, sub.State, sub.PlanID, store.Truncate(reason, 300), actor, store.Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("subscription %s: history: %w", sub.ID, err)
	}
	return nil
}

// History returns a subscription's changes, oldest first.
func (s *Service) History(ctx context.Context, subscriptionID string) ([]HistoryEntry, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT from_state, to_state, plan_id, reason, actor, at FROM isp_subscription_history WHERE subscription_id = $1 ORDER BY at, id`, subscriptionID)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", subscriptionID, err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var h HistoryEntry
		var at int64
		if err := rows.Scan(&h.From, &h.To, &h.PlanID, &h.Reason, &h.Actor, &at); err != nil {
			return nil, err
		}
		h.At = store.Time(at)
		out = append(out, h)
	}
	return out, rows.Err()
}

// Suspend stops a subscription's service (staff: fraud, abuse, the
// customer's request); the subscriber can still log in to the walled
// garden. Paying makes it active again.
func (s *Service) Suspend(ctx context.Context, subscriptionID, by, reason string) error {
	return s.setState(ctx, subscriptionID, Suspended, by, reason)
}

// Terminate ends a subscription for good.
func (s *Service) Terminate(ctx context.Context, subscriptionID, by, reason string) error {
	return s.setState(ctx, subscriptionID, Terminated, by, reason)
}

func (s *Service) setState(ctx context.Context, id, to, by, reason string) error {
	if reason == "" {
		return fmt.Errorf("say why: a reason is kept with every change")
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		sub, err := lockSubscription(tx, id)
		if err != nil {
			return err
		}
		if sub.State == to {
			return fmt.Errorf("subscription %s is %s already: %w", id, to, ErrState)
		}
		from := sub
		sub.State = to
		if err := s.move(tx, &sub, from, why{reason: reason, actor: by}); err != nil {
			return err
		}
		return payment.Audit(tx, by, "isp."+to, id, reason)
	})
}

// ChangePlan moves a subscription to another plan at once, for what is
// left of its period, without charge (staff: an upgrade goodwill, a
// correction). Customers change plan by buying the other plan.
func (s *Service) ChangePlan(ctx context.Context, subscriptionID, planID, by, reason string) error {
	if reason == "" {
		return fmt.Errorf("say why: a reason is kept with every change")
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		sub, err := lockSubscription(tx, subscriptionID)
		if err != nil {
			return err
		}
		if _, err := getPlan(ctx, tx, planID); err != nil {
			return err
		}
		if sub.PlanID == planID {
			return nil
		}
		from := sub
		sub.PlanID = planID
		if err := s.move(tx, &sub, from, why{reason: reason, actor: by}); err != nil {
			return err
		}
		return payment.Audit(tx, by, "isp.change_plan", subscriptionID, fmt.Sprintf("%s to %s: %s", from.PlanID, planID, reason))
	})
}
