package payment

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// StatusQuerier is the part of the Daraja client that asks for a
// transaction's status; the answer arrives later at the result URL.
type StatusQuerier interface {
	TransactionStatus(ctx context.Context, receipt, resultURL, timeoutURL, remarks string) (mpesa.AsyncResponse, error)
}

// Recovery finds payments whose callbacks never came: a customer says "I
// paid" and gives the M-Pesa receipt; if we do not have it, we ask M-Pesa.
type Recovery struct {
	DB         *store.DB
	Client     StatusQuerier
	Intake     *Intake
	ResultURL  string
	TimeoutURL string
}

// statusQuery is the payload of a status-query job: who asked, and for
// which meter, since the result does not say which account was paid.
type statusQuery struct {
	Receipt string `json:"receipt"`
	MSISDN  string `json:"msisdn"`
	Meter   string `json:"meter"`
	Asked   int64  `json:"asked"`
}

// Lookup is what a customer learns about a receipt.
type Lookup struct {
	Payment  *Payment // nil when we do not have it (yet)
	Asked    bool     // a status query is on its way to M-Pesa
	NotFound bool     // M-Pesa answered that it knows no such transaction
}

// ErrBadReceipt is returned for text that cannot be an M-Pesa receipt.
var ErrBadReceipt = errors.New("not an M-Pesa receipt code")

// NormalizeReceipt uppercases a receipt code and checks its form: ten
// letters and digits.
func NormalizeReceipt(s string) (string, error) {
	r := strings.ToUpper(strings.TrimSpace(s))
	if len(r) != 10 {
		return "", fmt.Errorf("%q: %w (want 10 letters and digits)", s, ErrBadReceipt)
	}
	for _, c := range r {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", fmt.Errorf("%q: %w (want 10 letters and digits)", s, ErrBadReceipt)
		}
	}
	return r, nil
}

// Find returns the payment with receipt, or, when we do not have it, asks
// M-Pesa (once a minute at most per receipt). meter is the account the
// customer says they paid for; msisdn is who asks.
func (rc *Recovery) Find(ctx context.Context, receipt, msisdn, meter string) (Lookup, error) {
	receipt, err := NormalizeReceipt(receipt)
	if err != nil {
		return Lookup{}, err
	}
	p, err := ByReceipt(ctx, rc.DB.Read(), receipt)
	if err == nil {
		return Lookup{Payment: &p}, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return Lookup{}, err
	}
	if rc.Client == nil {
		return Lookup{}, nil
	}
	payload, _ := json.Marshal(statusQuery{Receipt: receipt, MSISDN: msisdn, Meter: meter, Asked: time.Now().Unix()})
	var ask, notFound bool
	err = rc.DB.InTx(ctx, func(tx *store.Tx) error {
		now := store.Micros(tx.Now)
		var state string
		var runAt int64
		err := tx.QueryRow(`SELECT state, run_at FROM jobs WHERE unique_key = $1`, "status:"+receipt).Scan(&state, &runAt)
		switch {
		case err == nil:
			if state == "done" {
				notFound = true
				return nil
			}
			ask = now-runAt > time.Minute.Microseconds()
			if ask {
				_, err = tx.Exec(`UPDATE jobs SET run_at = $2, attempts = attempts + 1, payload = $3, state = 'waiting' WHERE unique_key = $1`, "status:"+receipt, now, string(payload))
			}
			return err
		case errors.Is(err, sql.ErrNoRows):
			ask = true
			_, err = tx.Exec(`INSERT INTO jobs (id, kind, unique_key, payload, state, run_at, attempts, created_at) VALUES ($1, 'status_query', $2, $3, 'waiting', $4, 1, $4)`,
				uuid.Must(uuid.NewV7()).String(), "status:"+receipt, string(payload), now)
			return err
		default:
			return err
		}
	})
	if err != nil {
		return Lookup{}, fmt.Errorf("status query %s: %w", receipt, err)
	}
	if notFound {
		return Lookup{NotFound: true}, nil
	}
	if ask {
		if _, err := rc.Client.TransactionStatus(ctx, receipt, rc.ResultURL, rc.TimeoutURL, "customer says paid"); err != nil {
			// Not asked after all: let the next look-up ask at once.
			rc.DB.InTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
				_, err := tx.Exec(`UPDATE jobs SET run_at = 0, last_error = $2 WHERE unique_key = $1`, "status:"+receipt, truncate(err.Error(), 500))
				return err
			})
			return Lookup{}, fmt.Errorf("status query %s: %w", receipt, err)
		}
	}
	return Lookup{Asked: true}, nil
}

// Settle applies a transaction-status result. A completed payment we did not
// have is recorded for the meter the customer named (or in suspense).
func (rc *Recovery) Settle(ctx context.Context, res mpesa.StatusResult) (*Recorded, error) {
	receipt := res.ReceiptNo
	if receipt == "" {
		receipt = res.TransactionID
	}
	var q statusQuery
	var payload string
	err := rc.DB.Read().QueryRowContext(ctx, `SELECT payload FROM jobs WHERE unique_key = $1`, "status:"+receipt).Scan(&payload)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if payload != "" {
		json.Unmarshal([]byte(payload), &q)
	}
	var rec *Recorded
	detail := res.ResultCode + " " + res.ResultDesc
	if res.Succeeded() && res.Completed() && res.Amount > 0 {
		payer := res.DebitPartyName
		if i := strings.Index(payer, " - "); i > 0 {
			payer = payer[:i]
		}
		notify := q.MSISDN
		if n, err := phone.Normalize(payer); err == nil && notify == "" {
			notify = n
		}
		paid := res.FinalisedTime
		if paid.IsZero() {
			paid = time.Now()
		}
		r, err := rc.Intake.Record(ctx, Payment{Provider: MpesaC2B, Receipt: receipt, Amount: res.Amount, Payer: payer,
			NotifyMSISDN: notify, AccountRef: q.Meter, PaidAt: paid})
		if err != nil {
			return nil, err
		}
		rec = &r
	}
	if !res.Succeeded() && !isTimeout(res) || rec != nil {
		err = rc.DB.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(`UPDATE jobs SET state = 'done', done_at = $2, last_error = $3 WHERE unique_key = $1`, "status:"+receipt, store.Micros(tx.Now), detail)
			return err
		})
	}
	return rec, err
}

func isTimeout(res mpesa.StatusResult) bool {
	return strings.Contains(strings.ToLower(res.ResultDesc), "timeout") || strings.Contains(strings.ToLower(res.ResultDesc), "timed out")
}
