package payment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// STK request states.
const (
	STKPending = "pending" // sent; waiting for the customer and the callback
	STKPaid    = "paid"    // the callback (or a query) says paid; the payment is recorded
	STKFailed  = "failed"  // cancelled, timed out, insufficient funds...
)

// STKRequest is an STK push we started. The callback carries only the
// CheckoutRequestID, so the meter and the phone are kept here.
type STKRequest struct {
	CheckoutRequestID string
	MerchantRequestID string
	MSISDN            string
	MeterDRN          string // the meter, or for another service the account (a subscriber's username)
	Service           string // Electricity, Internet
	ShortCode         string // the short code pushed for, when another service's ("" for the utility's)
	Amount            money.Amount
	Channel           string // ussd, web, app, agent
	State             string
	ResultCode        int
	ResultDesc        string
	Receipt           string
	CreatedAt         time.Time
}

// STKPusher is the part of the Daraja client that starts a push.
type STKPusher interface {
	STKPush(ctx context.Context, r mpesa.STKPushRequest) (mpesa.STKPushResponse, error)
}

// STK starts STK pushes and settles their callbacks.
type STK struct {
	DB          *store.DB
	Client      STKPusher
	Intake      *Intake
	CallbackURL string
	// Limits returns the purchase limits of a meter's tariff, checked before
	// the customer is prompted.
	Limits func(ctx context.Context, drn string) (min, max money.Amount, err error)
	// VerifyAbove, when positive, has paid pushes of at least this amount
	// confirmed by a transaction status query before they are vended.
	VerifyAbove money.Amount
}

// ErrMeterNotPayable is returned for a meter that does not exist or is blocked.
var ErrMeterNotPayable = errors.New("meter cannot be paid for")

// ErrPush is M-Pesa refusing or failing to send the prompt (not our
// database failing).
var ErrPush = errors.New("M-Pesa did not send the prompt")

// LimitError is an amount outside a meter's purchase limits.
type LimitError struct {
	Amount, Min, Max money.Amount
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("amount %s is outside the purchase limits %s to %s", e.Amount, e.Min, e.Max)
}

// Start asks msisdn's phone to pay amount for meter drn. The request is
// stored once Daraja accepts it, before the customer can possibly answer.
func (s *STK) Start(ctx context.Context, msisdn, drn string, amount money.Amount, channel string) (STKRequest, error) {
	num, err := phone.Normalize(msisdn)
	if err != nil {
		return STKRequest{}, err
	}
	drn = customer.NormalizeNumber(drn)
	m, err := customer.GetMeter(ctx, s.DB.Read(), drn)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return STKRequest{}, fmt.Errorf("meter %s: %w", drn, ErrMeterNotPayable)
		}
		return STKRequest{}, err
	}
	if m.Status != customer.MeterActive {
		return STKRequest{}, fmt.Errorf("meter %s is %s: %w", drn, m.Status, ErrMeterNotPayable)
	}
	if !amount.IsWhole() || amount <= 0 {
		return STKRequest{}, fmt.Errorf("amount %s: M-Pesa takes whole shillings", amount)
	}
	if s.Limits != nil {
		lo, hi, err := s.Limits(ctx, drn)
		if err != nil {
			return STKRequest{}, err
		}
		if amount < lo || amount > hi {
			return STKRequest{}, &LimitError{Amount: amount, Min: lo, Max: hi}
		}
	}
	return s.push(ctx, s.Client, STKRequest{MSISDN: num, MeterDRN: drn, Service: Electricity, Amount: amount, Channel: channel}, "Token")
}

// Push is an STK push for another service than electricity: a
// subscriber's bundle, through the ISP's own short code.
type Push struct {
	Service     string
	Client      STKPusher // the service's Daraja client: its short code and passkey
	ShortCode   string    // the client's short code, which the payment is recorded to
	MSISDN      string
	Account     string // what is paid for (a username); the prompt shows its last 12 characters, as for a meter
	Amount      money.Amount
	Channel     string
	Description string // TransactionDesc: at most 13 characters
}

// StartFor starts a push for another service; the caller has checked the
// account and the amount. Its callback comes to Settle like any other, and
// the payment it records is that service's.
func (s *STK) StartFor(ctx context.Context, p Push) (STKRequest, error) {
	num, err := phone.Normalize(p.MSISDN)
	if err != nil {
		return STKRequest{}, err
	}
	if p.Service == "" || p.Service == Electricity || p.Client == nil {
		return STKRequest{}, fmt.Errorf("stk push for %q: name another service and its Daraja client", p.Service)
	}
	if !p.Amount.IsWhole() || p.Amount <= 0 {
		return STKRequest{}, fmt.Errorf("amount %s: M-Pesa takes whole shillings", p.Amount)
	}
	return s.push(ctx, p.Client, STKRequest{MSISDN: num, MeterDRN: p.Account, Service: p.Service, ShortCode: p.ShortCode, Amount: p.Amount, Channel: p.Channel}, p.Description)
}

// push sends r's prompt through client and stores it once Daraja accepts.
func (s *STK) push(ctx context.Context, client STKPusher, r STKRequest, desc string) (STKRequest, error) {
	resp, err := client.STKPush(ctx, mpesa.STKPushRequest{Phone: r.MSISDN, Amount: r.Amount, AccountReference: STKAccountReference(r.MeterDRN), Description: desc, CallbackURL: s.CallbackURL})
	if err != nil {
		return STKRequest{}, fmt.Errorf("stk push to %s: %w: %w", phone.Mask(r.MSISDN), ErrPush, err)
	}
	r.CheckoutRequestID, r.MerchantRequestID, r.State = resp.CheckoutRequestID, resp.MerchantRequestID, STKPending
	// The prompt is on the customer's phone: its record must be kept even
	// if the database is restarting, or the callback would find no push.
	err = store.RetryUnavailable(ctx, DefaultRetryFor, func() error {
		return s.DB.InTx(ctx, func(tx *store.Tx) error {
			r.CreatedAt = tx.Now
			_, err := tx.Exec(`INSERT INTO stk_requests (checkout_request_id, merchant_request_id, msisdn, meter_drn, amount, channel, state, created_at, updated_at, service, short_code)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10) ON CONFLICT (checkout_request_id) DO NOTHING`,
				r.CheckoutRequestID, r.MerchantRequestID, r.MSISDN, r.MeterDRN, int64(r.Amount), r.Channel, r.State, store.Micros(tx.Now), r.Service, r.ShortCode)
			return err
		})
	})
	if err != nil {
		return STKRequest{}, fmt.Errorf("store stk request %s: %w", r.CheckoutRequestID, err)
	}
	return r, nil
}

// STKAccountReference is the AccountReference Mteja sends with a push for
// meter drn, as the customer's prompt and M-Pesa's records show it: the
// meter number, or its last 12 digits, all Daraja takes.
func STKAccountReference(drn string) string {
	if len(drn) > mpesa.MaxAccountReference {
		return drn[len(drn)-mpesa.MaxAccountReference:]
	}
	return drn
}

// ErrUnknownCheckout is returned for a callback whose CheckoutRequestID we
// never sent.
var ErrUnknownCheckout = errors.New("unknown CheckoutRequestID")

// Settle applies an STK callback. A success records the payment (keyed on
// the receipt, so a C2B confirmation of the same payment is a duplicate); a
// failure closes the request. Repeated callbacks change nothing.
//
// Money follows the push Mteja made, never the callback's word: a success
// for a push we have no record of, or whose amount, merchant request or
// phone differ from ours, is kept in suspense with the reason, for staff,
// and makes no token.
func (s *STK) Settle(ctx context.Context, cb mpesa.STKCallback) (Recorded, error) {
	r, err := GetSTK(ctx, s.DB.Read(), cb.CheckoutRequestID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			if cb.Succeeded() {
				// Money moved for a push we have no record of: keep it,
				// in suspense, rather than drop it.
				return s.Intake.Record(ctx, Payment{Provider: MpesaSTK, Receipt: cb.Receipt, Amount: cb.Amount, Payer: cb.Phone,
					NotifyMSISDN: cb.Phone, PaidAt: cb.TransactionDate,
					Hold: fmt.Sprintf("STK callback for CheckoutRequestID %q, which Mteja did not send", store.Truncate(cb.CheckoutRequestID, 64))})
			}
			return Recorded{}, fmt.Errorf("stk callback %s: %w", cb.CheckoutRequestID, ErrUnknownCheckout)
		}
		return Recorded{}, err
	}
	var rec Recorded
	state := STKFailed
	if cb.Succeeded() {
		state = STKPaid
		notify := r.MSISDN // the phone we prompted; the callback's is only its word
		rec, err = s.Intake.Record(ctx, Payment{Provider: MpesaSTK, Receipt: cb.Receipt, Amount: cb.Amount, Payer: notify,
			NotifyMSISDN: notify, AccountRef: r.MeterDRN, MeterDRN: r.MeterDRN, PaidAt: cb.TransactionDate, Hold: mismatch(r, cb),
			Verify: s.VerifyAbove > 0 && cb.Amount >= s.VerifyAbove, Service: r.Service, ShortCode: r.ShortCode, CheckoutID: r.CheckoutRequestID})
		if err != nil {
			return Recorded{}, err
		}
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE stk_requests SET state = $2, result_code = $3, result_desc = $4, receipt = $5, updated_at = $6 WHERE checkout_request_id = $1 AND state = 'pending'`,
			cb.CheckoutRequestID, state, cb.ResultCode, store.Truncate(cb.ResultDesc, 200), cb.Receipt, store.Micros(tx.Now))
		return err
	})
	return rec, err
}

// mismatch says how a successful callback differs from the push Mteja sent,
// or "" when it agrees. The callback does not echo the account reference;
// the amount, the merchant request and the phone it names must be ours.
func mismatch(r STKRequest, cb mpesa.STKCallback) string {
	switch {
	case cb.Amount != r.Amount:
		return fmt.Sprintf("STK callback amount %s differs from the %s Mteja asked for (push %s)", cb.Amount.Plain(), r.Amount.Plain(), r.CheckoutRequestID)
	case cb.MerchantRequestID != r.MerchantRequestID:
		return fmt.Sprintf("STK callback MerchantRequestID %q differs from Mteja's %q (push %s)", store.Truncate(cb.MerchantRequestID, 64), r.MerchantRequestID, r.CheckoutRequestID)
	case cb.Phone != "" && cb.Phone != r.MSISDN:
		return fmt.Sprintf("STK callback paid from %s, not the %s Mteja prompted (push %s)", phone.Mask(cb.Phone), phone.Mask(r.MSISDN), r.CheckoutRequestID)
	}
	return ""
}

// GetSTK returns one STK request.
func GetSTK(ctx context.Context, q Querier, checkoutID string) (STKRequest, error) {
	var r STKRequest
	var amount, created int64
	var code *int64
	err := q.QueryRowContext(ctx, `SELECT checkout_request_id, merchant_request_id, msisdn, meter_drn, service, short_code, amount, channel, state, result_code, result_desc, receipt, created_at FROM stk_requests WHERE checkout_request_id = $1`, checkoutID).
		Scan(&r.CheckoutRequestID, &r.MerchantRequestID, &r.MSISDN, &r.MeterDRN, &r.Service, &r.ShortCode, &amount, &r.Channel, &r.State, &code, &r.ResultDesc, &r.Receipt, &created)
	if err != nil {
		return STKRequest{}, store.NotFound(err, "stk request "+checkoutID)
	}
	r.Amount, r.CreatedAt = money.Amount(amount), store.Time(created)
	if code != nil {
		r.ResultCode = int(*code)
	}
	return r, nil
}

// RecentSTK returns the newest STK requests of a phone.
func RecentSTK(ctx context.Context, q Querier, msisdn string, limit int) ([]STKRequest, error) {
	ids, err := store.Strings(ctx, q, `SELECT checkout_request_id FROM stk_requests WHERE msisdn = $1 ORDER BY created_at DESC LIMIT $2`, msisdn, limit)
	if err != nil {
		return nil, fmt.Errorf("stk requests of a phone: %w", err)
	}
	var out []STKRequest
	for _, id := range ids {
		r, err := GetSTK(ctx, q, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// STKForAccounts returns the newest STK pushes to any of the phones or for
// any of the meters.
func STKForAccounts(ctx context.Context, q Querier, meters, phones []string, limit int) ([]STKRequest, error) {
	var args []any
	mIn, pIn := store.In(&args, meters), store.In(&args, phones)
	args = append(args, limit)
	ids, err := store.Strings(ctx, q, `SELECT checkout_request_id FROM stk_requests WHERE meter_drn IN (`+mIn+`) OR msisdn IN (`+pIn+`)
		ORDER BY created_at DESC LIMIT $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("stk pushes of an account: %w", err)
	}
	out := make([]STKRequest, 0, len(ids))
	for _, id := range ids {
		r, err := GetSTK(ctx, q, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
