package payment

import (
	"context"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
)

// STKQuerier asks M-Pesa what became of an STK push.
type STKQuerier interface {
	STKQuery(ctx context.Context, checkoutRequestID string) (mpesa.STKQueryResult, error)
}

// STKPoller settles STK pushes whose callback never came. Daraja does not
// retry callbacks, so without this a push the customer approved would sit
// pending with nobody told. A push M-Pesa says failed is closed; one it says
// succeeded cannot be recorded yet (the query gives no receipt number), so
// the customer is told the payment arrived and how to fetch the token by
// receipt code, the path that then records it.
type STKPoller struct {
	DB     *store.DB
	Client STKQuerier
	USSD   string        // the code customers dial, named in the message
	After  time.Duration // how long a push may wait for its callback; default 90 s
	Wake   func()        // wakes delivery after a message is queued
}

// PollOnce looks at up to 50 pushes past their wait and returns how many it
// settled. Only electricity's: it asks M-Pesa as the utility's short code,
// which cannot see another short code's pushes.
func (p *STKPoller) PollOnce(ctx context.Context) (int, error) {
	after := p.After
	if after == 0 {
		after = 90 * time.Second
	}
	now := time.Now()
	ids, err := store.Strings(ctx, p.DB.Read(), `SELECT checkout_request_id FROM stk_requests WHERE state = 'pending' AND service = 'electricity' AND result_code IS NULL AND created_at < $1 AND created_at > $2 ORDER BY created_at LIMIT 50`,
		store.Micros(now.Add(-after)), store.Micros(now.Add(-24*time.Hour)))
	if err != nil {
		return 0, fmt.Errorf("pending stk pushes: %w", err)
	}
	settled := 0
	for _, id := range ids {
		res, err := p.Client.STKQuery(ctx, id)
		if mpesa.IsProcessing(err) {
			continue // the customer has not answered yet
		}
		if err != nil {
			return settled, fmt.Errorf("stk query %s: %w", id, err)
		}
		ok, err := p.settle(ctx, id, res)
		if err != nil {
			return settled, err
		}
		if ok {
			settled++
		}
	}
	return settled, nil
}

func (p *STKPoller) settle(ctx context.Context, id string, res mpesa.STKQueryResult) (bool, error) {
	var queued, changed bool
	err := p.DB.InTx(ctx, func(tx *store.Tx) error {
		queued, changed = false, false
		r, err := GetSTK(ctx, tx, id)
		if err != nil {
			return err
		}
		state := STKFailed
		if res.Succeeded() {
			state = STKPending // still waiting for its receipt; result_code marks it asked
		}
		// The condition makes one node act when several poll.
		out, err := tx.Exec(`UPDATE stk_requests SET state = $2, result_code = $3, result_desc = $4, updated_at = $5 WHERE checkout_request_id = $1 AND state = 'pending' AND result_code IS NULL`,
			id, state, res.ResultCode, "query: "+res.ResultDesc, store.Micros(tx.Now))
		if err != nil {
			return err
		}
		if n, _ := out.RowsAffected(); n == 0 {
			return nil
		}
		changed = true
		if !res.Succeeded() {
			return nil
		}
		lang, err := customer.LanguageOf(ctx, tx, r.MSISDN)
		if err != nil {
			return err
		}
		body, err := notify.Render("stk_paid", lang, map[string]string{"Amount": r.Amount.Format("KES"), "Meter": r.MeterDRN, "USSD": p.USSD})
		if err != nil {
			return err
		}
		queued = true
		return notify.Enqueue(tx, notify.Message{Recipient: r.MSISDN, Lane: notify.LaneTransactional, Template: "stk_paid", Language: lang, Body: body, Ref: id})
	})
	if err != nil {
		return false, fmt.Errorf("settle stk push %s: %w", id, err)
	}
	if queued && p.Wake != nil {
		p.Wake()
	}
	return changed, nil
}

// Run polls every interval until ctx ends.
func (p *STKPoller) Run(ctx context.Context, every time.Duration, log func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := p.PollOnce(ctx); err != nil && ctx.Err() == nil && log != nil {
				log(err)
			}
		}
	}
}
