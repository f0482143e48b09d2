package isp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// How a purchase was paid.
const (
	PaidByWallet  = "wallet"
	PaidByVoucher = "voucher"
	PaidFree      = "free" // a free plan (a fallback)
)

// Purchase is a period of a plan bought, its price taken apart into the
// ISP's revenue and the taxes in it (the invoice's lines).
type Purchase struct {
	ID             string
	SubscriptionID string
	SubscriberID   string
	PlanID         string
	Split
	PaidBy      string
	PayerID     string // the subscriber whose wallet paid: another's when bought for a friend
	Ref         string // the voucher's digest, for PaidByVoucher
	PeriodStart time.Time
	EndsAt      time.Time
	CreatedAt   time.Time
}

// payer says how a purchase is paid: from a subscriber's wallet, by a
// voucher (ref), or not at all (a free plan).
type payer struct {
	by       string
	walletOf string
	ref      string
	// faceValue, when set, is the price paid instead of the plan's: a
	// voucher was sold at the price of its day.
	faceValue *money.Amount
	// renewFrom, when set, starts the new period there, with the
	// subscription's anchor: a monthly plan renewed at its end keeps its
	// day of the month.
	renewFrom time.Time
}

// buy gives sub a period of plan, paid as pay says, in tx, and makes it
// active. Buying the plan a subscription is on while its period runs adds
// to that period: its time runs on from the current end and its data is
// added (paying early loses nothing). A monthly plan paid for in grace
// runs from where the unpaid period ended, since its service went on.
// Otherwise, a new period starts now (a new plan, or data used up: what
// was left of the old period is replaced).
func (s *Service) buy(tx *store.Tx, sub *Subscription, plan Plan, pay payer, w why) (Purchase, error) {
	now, from := tx.Now, *sub
	if !plan.Active && sub.PlanID != plan.ID && pay.by != PaidFree { // a fallback need not be on sale
		return Purchase{}, fmt.Errorf("plan %s: %w", plan.ID, ErrPlanShut)
	}
	if sub.State == Terminated {
		return Purchase{}, fmt.Errorf("subscription %s is terminated: %w", sub.ID, ErrState)
	}
	price := plan.Price
	if pay.faceValue != nil {
		price = *pay.faceValue
	}
	p := Purchase{ID: uuid.Must(uuid.NewV7()).String(), SubscriptionID: sub.ID, SubscriberID: sub.SubscriberID, PlanID: plan.ID,
		Split: s.cfg.Taxes.Split(price, now), PaidBy: pay.by, PayerID: pay.walletOf, Ref: pay.ref, CreatedAt: now}
	same := sub.PlanID == plan.ID && !sub.exhausted()
	switch {
	case !pay.renewFrom.IsZero():
		s.newPeriod(sub, plan, pay.renewFrom, sub.AnchorDay)
		p.PeriodStart = sub.PeriodStart
	case same && sub.State == Active && (sub.EndsAt.After(now) || sub.EndsAt.IsZero() && plan.Duration == 0 && plan.Billing == Bundle):
		p.PeriodStart = sub.EndsAt
		if p.PeriodStart.IsZero() {
			p.PeriodStart = now // more data for a bundle without an end
		}
		if !sub.EndsAt.IsZero() {
			sub.EndsAt = periodEnd(plan, sub.EndsAt, sub.AnchorDay)
			sub.alerts &^= alertTime80
		}
		if plan.Data > 0 && sub.DataLimit > 0 {
			sub.DataLimit += plan.Data
			sub.alerts &^= alertData80 | alertData100
		}
	case same && sub.State == Grace && periodEnd(plan, sub.EndsAt, sub.AnchorDay).After(now):
		s.newPeriod(sub, plan, sub.EndsAt, sub.AnchorDay)
		p.PeriodStart = sub.PeriodStart
	default:
		s.newPeriod(sub, plan, now, 0)
		p.PeriodStart = now
	}
	sub.State, sub.GraceUntil = Active, time.Time{}
	p.EndsAt = sub.EndsAt
	if err := s.pay(tx, p); err != nil {
		return Purchase{}, err
	}
	if err := s.invoicePurchase(context.Background(), tx, *sub, plan, p); err != nil {
		return Purchase{}, err
	}
	if err := s.move(tx, sub, from, w); err != nil {
		return Purchase{}, err
	}
	return p, nil
}

// newPeriod starts a fresh period of plan at start.
func (s *Service) newPeriod(sub *Subscription, plan Plan, start time.Time, anchor int) {
	sub.AnchorDay = 0
	if plan.Billing == Monthly {
		if anchor <= 0 {
			anchor = anchorOf(start)
		}
		sub.AnchorDay = anchor
	}
	sub.PlanID, sub.PeriodStart, sub.EndsAt = plan.ID, start, periodEnd(plan, start, anchor)
	sub.DataLimit, sub.DataUsed, sub.Throttled, sub.alerts = plan.Data, 0, false, 0
}

// pay takes the purchase's price from where it comes and books it:
// revenue, excise and VAT.
func (s *Service) pay(tx *store.Tx, p Purchase) error {
	from := ""
	switch p.PaidBy {
	case PaidByWallet:
		if _, err := walletMove(tx, p.PayerID, EntryPurchase, p.ID, -p.Price); err != nil {
			return err
		}
		from = ledger.ISPWallet
	case PaidByVoucher:
		from = ledger.ISPVouchers
	case PaidFree:
		if p.Price != 0 {
			return fmt.Errorf("purchase of %s: a plan of %s is not free", p.PlanID, p.Price)
		}
	default:
		return fmt.Errorf("purchase of %s: paid by %q", p.PlanID, p.PaidBy)
	}
	if _, err := tx.Exec(`INSERT INTO isp_purchases (id, subscription_id, subscriber_id, plan_id, price, net, excise, vat, paid_by, payer_id, ref, period_start, ends_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		p.ID, p.SubscriptionID, p.SubscriberID, p.PlanID, int64(p.Price), int64(p.Net), int64(p.Excise), int64(p.VAT), p.PaidBy, p.PayerID, p.Ref,
		store.Micros(p.PeriodStart), store.Micros(p.EndsAt), store.Micros(p.CreatedAt)); err != nil {
		return fmt.Errorf("record purchase of %s: %w", p.PlanID, err)
	}
	if p.Price == 0 {
		return nil
	}
	return ledger.Post(tx, ledger.Txn{ID: "isp_buy:" + p.ID, Kind: "isp_purchase", Ref: p.ID, Postings: []ledger.Posting{
		{Account: from, Amount: p.Price},
		{Account: ledger.ISPRevenue, Amount: -p.Net},
		{Account: ledger.ISPExcise, Amount: -p.Excise},
		{Account: ledger.ISPVAT, Amount: -p.VAT},
	}})
}

// Buy buys plan for the subscriber named forUsername from payerID's
// wallet: a subscriber's own purchase, or one for a friend when the two
// differ. A subscriber without a live subscription gets one. by names who
// asked (the subscriber, a care agent).
func (s *Service) Buy(ctx context.Context, payerID, forUsername, planID, by string) (Purchase, error) {
	p, err := inTx(ctx, s.DB, func(tx *store.Tx) (Purchase, error) {
		to, err := getSubscriber(ctx, tx, `username = $1`, NormalizeUsername(forUsername))
		if err != nil {
			return Purchase{}, err
		}
		plan, err := getPlan(ctx, tx, planID)
		if err != nil {
			return Purchase{}, err
		}
		sub, err := liveOrNew(ctx, tx, to.ID, plan)
		if err != nil {
			return Purchase{}, err
		}
		reason := "bought from the wallet"
		if payerID != to.ID {
			reason = "bought by another subscriber from their wallet"
		}
		p, err := s.buy(tx, &sub, plan, payer{by: PaidByWallet, walletOf: payerID}, why{reason: reason, actor: by})
		if err != nil {
			return Purchase{}, err
		}
		if err := s.notifyPurchase(ctx, tx, to, sub, plan, p); err != nil {
			return Purchase{}, err
		}
		return p, payment.Audit(tx, by, "isp.buy", sub.ID, fmt.Sprintf("%s for %s from the wallet of %s", plan.ID, to.Username, payerID))
	})
	if err == nil {
		s.messagesQueued()
	}
	return p, err
}

// liveOrNew locks a subscriber's live subscription, or makes a pending
// one for plan.
func liveOrNew(ctx context.Context, tx *store.Tx, subscriberID string, plan Plan) (Subscription, error) {
	sub, err := liveOf(ctx, tx, subscriberID, tx.ForUpdate())
	if errors.Is(err, store.ErrNotFound) {
		if !plan.Active {
			return Subscription{}, fmt.Errorf("plan %s: %w", plan.ID, ErrPlanShut)
		}
		return subscribe(tx, subscriberID, plan.ID)
	}
	return sub, err
}

// PurchaseFilter selects purchases; empty fields match all.
type PurchaseFilter struct {
	SubscriberID string    // whose subscription it bought for
	From, To     time.Time // bought at or after From, before To
	Limit        int       // default 100, at most 1000
}

// Purchases returns purchases, oldest first, with their price taken apart
// at the rates of their day (Split.Rates): the lines of an invoice.
func (s *Service) Purchases(ctx context.Context, f PurchaseFilter) ([]Purchase, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	where, args := "1=1", []any{}
	if f.SubscriberID != "" {
		args = append(args, f.SubscriberID)
		where += fmt.Sprintf(" AND subscriber_id = $%d", len(args))
	}
	if !f.From.IsZero() {
		args = append(args, store.Micros(f.From))
		where += fmt.Sprintf(" AND created_at >= $%d", len(args))
	}
	if !f.To.IsZero() {
		args = append(args, store.Micros(f.To))
		where += fmt.Sprintf(" AND created_at < $%d", len(args))
	}
	args = append(args, f.Limit)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, subscription_id, subscriber_id, plan_id, price, net, excise, vat, paid_by, payer_id, ref, period_start, ends_at, created_at
		FROM isp_purchases WHERE `+where+fmt.Sprintf(` ORDER BY created_at, id LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("purchases: %w", err)
	}
	defer rows.Close()
	var out []Purchase
	for rows.Next() {
		var p Purchase
		var price, net, excise, vat, start, ends, created int64
		if err := rows.Scan(&p.ID, &p.SubscriptionID, &p.SubscriberID, &p.PlanID, &price, &net, &excise, &vat, &p.PaidBy, &p.PayerID, &p.Ref,
			&start, &ends, &created); err != nil {
			return nil, fmt.Errorf("purchases: %w", err)
		}
		p.PeriodStart, p.EndsAt, p.CreatedAt = store.Time(start), store.Time(ends), store.Time(created)
		p.Split = Split{Price: money.Amount(price), Net: money.Amount(net), Excise: money.Amount(excise), VAT: money.Amount(vat), Rates: s.cfg.Taxes.RatesAt(p.CreatedAt)}
		out = append(out, p)
	}
	return out, rows.Err()
}
