package payment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
)

// StatusQuerier is the part of the Daraja client that asks for a
// transaction's status; the answer arrives later at the result URL.
type StatusQuerier interface {
	TransactionStatus(ctx context.Context, receipt, resultURL, timeoutURL, remarks string) (mpesa.AsyncResponse, error)
}

// Recovery finds payments whose callbacks never came: a customer says "I
// paid" and gives the M-Pesa receipt; if we do not have it, we ask M-Pesa.
//
// The asker's word decides nothing about where the money goes. A payment
// found this way is credited only to the meter its own record names (the
// account typed in M-Pesa's validation request, or the meter of Mteja's STK
// push), and only when the asker is its payer or the meter's own; anything
// else waits in suspense for staff.
type Recovery struct {
	DB         *store.DB
	Client     StatusQuerier // nil: only the payments we have are looked at
	Intake     *Intake
	ResultURL  string
	TimeoutURL string
	// ShortCodes are ours: a result that credits any other party is not a
	// payment to us, whatever its receipt.
	ShortCodes []string
}

// Asker is who asks about a receipt.
type Asker struct {
	MSISDN  string // the phone asking; "" for staff and the system
	Meter   string // the meter they say they paid for: recorded, never credited on their word
	Channel string // ussd, sms, web, app
	Address string // the client address (peer.Key) when the channel has one, for its limit
}

// Lookup is what a customer learns about a receipt.
type Lookup struct {
	Payment  *Payment // nil when we do not have it (yet)
	Asked    bool     // a status query is on its way to M-Pesa
	NotFound bool     // M-Pesa answered that it knows no such payment to us
	// Rightful reports that the asker paid, or asks for the meter that was
	// paid for, so may see amounts and receipt lines; others see at most the
	// token, which works only in that meter.
	Rightful bool
}

// Limits on status queries about receipts we do not know: each costs a
// Daraja call and a row. They are counted only when a query is sent, per
// phone and per client address, in the database.
var (
	QueryPerPhone   = quota.Rule{Name: "receipt.phone", Max: 10, Per: time.Hour}
	QueryPerAddress = quota.Rule{Name: "receipt.address", Max: 30, Per: time.Hour}
)

// How long answers are trusted before M-Pesa is asked again.
const (
	askAgainAfter   = time.Minute      // an unanswered query
	notFoundFor     = 10 * time.Minute // "no such transaction" (it may be seconds old)
	resultWaitLimit = 3 * time.Second  // a result that overtook its query's ids
)

// ErrBadReceipt is returned for text that cannot be an M-Pesa receipt.
var ErrBadReceipt = errors.New("not an M-Pesa receipt code")

// ErrUnknownResult is returned for a status result that answers no query
// Mteja sent: it is acknowledged and dropped.
var ErrUnknownResult = errors.New("status result matches no query Mteja sent")

// NormalizeReceipt uppercases a receipt code and checks its form: ten
// letters and digits.
func NormalizeReceipt(s string) (string, error) {
	r := strings.ToUpper(strings.TrimSpace(s))
	if len(r) != 10 {
		return "", fmt.Errorf("%q: %w (want 10 letters and digits)", store.Truncate(s, 40), ErrBadReceipt)
	}
	for _, c := range r {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", fmt.Errorf("%q: %w (want 10 letters and digits)", store.Truncate(s, 40), ErrBadReceipt)
		}
	}
	return r, nil
}

// Find returns the payment with receipt, or, when we do not have it, asks
// M-Pesa (once a minute at most per receipt, within the asker's limits).
// Every asker is recorded with the first meter they named; a later ask never
// overwrites an earlier one.
func (rc *Recovery) Find(ctx context.Context, receipt string, who Asker) (Lookup, error) {
	receipt, err := NormalizeReceipt(receipt)
	if err != nil {
		return Lookup{}, err
	}
	p, err := ByReceipt(ctx, rc.DB.Read(), receipt)
	if err == nil {
		ok, err := Rightful(ctx, rc.DB.Read(), p, who.MSISDN)
		return Lookup{Payment: &p, Rightful: ok}, err
	}
	if !errors.Is(err, store.ErrNotFound) {
		return Lookup{}, err
	}
	if rc.Client == nil {
		return Lookup{NotFound: true}, nil
	}
	var send string // the id of a query to send now
	var look Lookup
	err = rc.DB.InTx(ctx, func(tx *store.Tx) error {
		send, look = "", Lookup{}
		now := tx.Now
		if who.MSISDN != "" {
			if _, err := tx.Exec(`INSERT INTO receipt_asks (receipt, msisdn, meter, channel, asked_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (receipt, msisdn) DO NOTHING`,
				receipt, who.MSISDN, store.Truncate(who.Meter, 20), who.Channel, store.Micros(now)); err != nil {
				return fmt.Errorf("record who asked: %w", err)
			}
		}
		var sent int64
		var outcome string
		var answered sql.NullInt64
		err := tx.QueryRow(`SELECT sent_at, outcome, result_at FROM status_queries WHERE receipt = $1 ORDER BY sent_at DESC LIMIT 1`, receipt).
			Scan(&sent, &outcome, &answered)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case outcome == outcomeNotOurs || outcome == outcomeNotFound && now.Sub(store.NullTime(answered)) < notFoundFor:
			look.NotFound = true
			return nil
		case !answered.Valid && now.Sub(store.Time(sent)) < askAgainAfter:
			look.Asked = true
			return nil
		}
		var keys []quota.Key
		if who.MSISDN != "" {
			keys = append(keys, QueryPerPhone.Of(who.MSISDN))
		}
		if who.Address != "" {
			keys = append(keys, QueryPerAddress.Of(who.Address))
		}
		if err := quota.TakeTx(tx, keys...); err != nil {
			return err
		}
		send, err = newQuery(tx, receipt)
		return err
	})
	if err != nil {
		return Lookup{}, fmt.Errorf("status query %s: %w", receipt, err)
	}
	if send == "" {
		return look, nil
	}
	if err := rc.send(ctx, send, receipt, "customer says paid"); err != nil {
		return Lookup{}, err
	}
	return Lookup{Asked: true}, nil
}

// newQuery records a status query about to be sent.
func newQuery(tx *store.Tx, receipt string) (string, error) {
	id := uuid.Must(uuid.NewV7()).String()
	if _, err := tx.Exec(`INSERT INTO status_queries (id, receipt, sent_at) VALUES ($1, $2, $3)`, id, receipt, store.Micros(tx.Now)); err != nil {
		return "", fmt.Errorf("record status query %s: %w", receipt, err)
	}
	return id, nil
}

// send asks M-Pesa about receipt for the recorded query id, and keeps the
// conversation ids of the reply, which its result will carry. A query that
// could not be sent is forgotten, so that the next look-up asks at once.
func (rc *Recovery) send(ctx context.Context, id, receipt, remarks string) error {
	resp, err := rc.Client.TransactionStatus(ctx, receipt, rc.ResultURL, rc.TimeoutURL, remarks)
	sendErr := err
	err = rc.DB.InTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		if sendErr != nil {
			_, err := tx.Exec(`DELETE FROM status_queries WHERE id = $1`, id)
			return err
		}
		_, err := tx.Exec(`UPDATE status_queries SET originator_id = $2, conversation_id = $3 WHERE id = $1`,
			id, store.Truncate(resp.OriginatorConversationID, 100), store.Truncate(resp.ConversationID, 100))
		return err
	})
	if err = errors.Join(sendErr, err); err != nil {
		return fmt.Errorf("status query %s: %w", receipt, err)
	}
	return nil
}

// Query outcomes, as status_queries.outcome keeps them.
const (
	outcomeRecorded = "recorded"  // the payment is stored (credited, or held for staff)
	outcomeNotFound = "not_found" // M-Pesa knows no such transaction
	outcomeNotOurs  = "not_ours"  // a payment to someone else
	outcomeOther    = "other"     // any other answer (failed, reversed, ...): nothing recorded
)

// Settle applies a transaction status result, if it answers a query Mteja
// sent (matched by the conversation ids of that query, never by the receipt
// the result names); ErrUnknownResult otherwise. A completed payment to us
// that we did not have is recorded: credited to the meter its own record
// names when the asker has a right to it, held in suspense otherwise.
func (rc *Recovery) Settle(ctx context.Context, res mpesa.StatusResult) (*Recorded, error) {
	id, receipt, err := rc.queryFor(ctx, res)
	if err != nil {
		return nil, err
	}
	if p, err := ByReceipt(ctx, rc.DB.Read(), receipt); err == nil && p.State == Verifying {
		return nil, rc.confirm(ctx, id, p, res)
	}
	var rec *Recorded
	outcome := outcomeOther
	switch {
	case res.NotFound():
		outcome = outcomeNotFound
	case !res.Completed() || res.Amount <= 0:
	case res.ReceiptNo != "" && res.ReceiptNo != receipt:
		// Not the transaction asked about; nothing to take from it.
	case !rc.ours(res.CreditPartyName):
		outcome = outcomeNotOurs
	default:
		r, err := rc.record(ctx, receipt, res)
		if err != nil {
			return nil, err
		}
		rec, outcome = &r, outcomeRecorded
	}
	err = rc.DB.InTx(ctx, func(tx *store.Tx) error { return answered(tx, id, res, outcome) })
	return rec, err
}

// answered records a query's result and what Mteja made of it.
func answered(tx *store.Tx, id string, res mpesa.StatusResult, outcome string) error {
	_, err := tx.Exec(`UPDATE status_queries SET result_code = $2, outcome = $3, result_at = $4 WHERE id = $1`,
		id, store.Truncate(res.ResultCode, 20), outcome, store.Micros(tx.Now))
	return err
}

// queryFor finds the query a result answers by its conversation ids. The
// ids are stored once Daraja's reply to the query arrives, and a fast
// result can overtake that reply: while a query for the result's
// transaction is still waiting for its ids, the result waits a little too.
func (rc *Recovery) queryFor(ctx context.Context, res mpesa.StatusResult) (id, receipt string, err error) {
	deadline := time.Now().Add(resultWaitLimit)
	for {
		// Look for a query still without its ids before looking the ids
		// up, so that ids stored between the two reads are not missed.
		var waiting int
		if err := rc.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM status_queries WHERE receipt = $1 AND originator_id = '' AND conversation_id = '' AND sent_at > $2`,
			strings.ToUpper(res.TransactionID), store.Micros(time.Now().Add(-time.Minute))).Scan(&waiting); err != nil {
			return "", "", err
		}
		err := rc.DB.Read().QueryRowContext(ctx, `SELECT id, receipt FROM status_queries
			WHERE (originator_id = $1 AND $1 <> '') OR (conversation_id = $2 AND $2 <> '') LIMIT 1`,
			res.OriginatorConversationID, res.ConversationID).Scan(&id, &receipt)
		if err == nil {
			return id, receipt, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", "", err
		}
		if waiting == 0 || time.Now().After(deadline) {
			return "", "", fmt.Errorf("%w (conversation %q)", ErrUnknownResult, store.Truncate(res.ConversationID, 60))
		}
		select {
		case <-ctx.Done():
			return "", "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ours reports whether a result's CreditPartyName ("888880 - Utility")
// names one of our short codes.
func (rc *Recovery) ours(creditParty string) bool {
	code, _, _ := strings.Cut(creditParty, " - ")
	code = strings.TrimSpace(code)
	for _, sc := range rc.ShortCodes {
		if code == sc {
			return true
		}
	}
	return false
}
