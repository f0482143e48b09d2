package isp

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// Vouchers are printed in batches and sold for cash by shops and agents.
// Each is good once, before its batch expires, for one period of the
// batch's plan: typed on the captive page as the username (it then becomes
// an account of its own, which M-Pesa can top up later), or sent by SMS or
// USSD to redeem it into an existing account. A code is 12 digits (40
// bits: among ten thousand unused vouchers, a guess finds one once in a
// hundred million). Codes are stored sealed, to print them, and found by a
// keyed digest, so a copy of the database does not give them away.

// VoucherDigits is the length of a voucher's code.
const VoucherDigits = 12

// MaxBatch bounds a batch: a few A4 sheets' worth of vouchers more than a
// shop sells.
const MaxBatch = 1000

// VoucherBatch is a printed set of vouchers for one plan, sold at Price.
type VoucherBatch struct {
	ID        string
	PlanID    string
	Count     int
	Price     money.Amount // face value, the plan's price when printed
	ExpiresAt time.Time
	Note      string
	CreatedBy string
	CreatedAt time.Time
}

// Voucher is one voucher of a batch.
type Voucher struct {
	Seq        int
	Code       string
	RedeemedAt time.Time // zero while unused
}

// isVoucherCode reports whether s has a voucher code's form.
func isVoucherCode(s string) bool {
	if len(s) != VoucherDigits {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// voucherCode reads a code as typed ("1234 5678 9012", "1234-5678-9012").
func voucherCode(s string) (string, bool) {
	code := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
	return code, isVoucherCode(code)
}

// newCode draws a code uniformly from the 10^12 possible.
func newCode() string {
	const space = 1_000_000_000_000
	limit := ^uint64(0) - ^uint64(0)%space
	var b [8]byte
	for {
		rand.Read(b[:])
		if n := binary.BigEndian.Uint64(b[:]); n < limit {
			return fmt.Sprintf("%012d", n%space)
		}
	}
}

// NewVouchers prints a batch of count vouchers for plan, good until
// expires. by names who made them.
func (s *Service) NewVouchers(ctx context.Context, planID string, count int, expires time.Time, note, by string) (VoucherBatch, error) {
	if count < 1 || count > MaxBatch {
		return VoucherBatch{}, fmt.Errorf("a batch is 1 to %d vouchers", MaxBatch)
	}
	if len(note) > 200 {
		return VoucherBatch{}, fmt.Errorf("a batch's note is at most 200 characters")
	}
	return inTx(ctx, s.DB, func(tx *store.Tx) (VoucherBatch, error) {
		plan, err := getPlan(ctx, tx, planID)
		if err != nil {
			return VoucherBatch{}, err
		}
		if !plan.Active || plan.Price <= 0 {
			return VoucherBatch{}, fmt.Errorf("plan %s: vouchers are for plans on sale, with a price: %w", planID, ErrPlanShut)
		}
		if !expires.After(tx.Now) || expires.After(tx.Now.AddDate(2, 0, 0)) {
			return VoucherBatch{}, fmt.Errorf("vouchers expire within two years from now")
		}
		b := VoucherBatch{ID: uuid.Must(uuid.NewV7()).String(), PlanID: planID, Count: count, Price: plan.Price, ExpiresAt: expires.UTC(),
			Note: note, CreatedBy: by, CreatedAt: tx.Now}
		if _, err := tx.Exec(`INSERT INTO isp_voucher_batches (id, plan_id, count, price, expires_at, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			b.ID, planID, count, int64(b.Price), store.Micros(b.ExpiresAt), note, by, store.Micros(tx.Now)); err != nil {
			return VoucherBatch{}, fmt.Errorf("voucher batch: %w", err)
		}
		for seq := 1; seq <= count; seq++ {
			if err := s.insertVoucher(tx, b.ID, seq); err != nil {
				return VoucherBatch{}, err
			}
		}
		return b, payment.Audit(tx, by, "isp.vouchers", b.ID, fmt.Sprintf("%d of %s at %s", count, planID, b.Price))
	})
}

func (s *Service) insertVoucher(tx *store.Tx, batchID string, seq int) error {
	for range 5 {
		code := newCode()
		sealed, err := s.seal.Seal(code, batchID)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO isp_vouchers (digest, batch_id, seq, code_sealed) VALUES ($1, $2, $3, $4) ON CONFLICT (digest) DO NOTHING`,
			s.seal.Digest(code), batchID, seq, sealed)
		if err != nil {
			return fmt.Errorf("voucher %d: %w", seq, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
	}
	return fmt.Errorf("voucher %d: no free code in 5 draws", seq)
}

// Vouchers returns a batch and its vouchers, codes readable: for printing
// and for staff only.
func (s *Service) Vouchers(ctx context.Context, batchID string) (VoucherBatch, []Voucher, error) {
	q := s.DB.Read()
	var b VoucherBatch
	var price, expires, created int64
	err := q.QueryRowContext(ctx, `SELECT id, plan_id, count, price, expires_at, note, created_by, created_at FROM isp_voucher_batches WHERE id = $1`, batchID).
		Scan(&b.ID, &b.PlanID, &b.Count, &price, &expires, &b.Note, &b.CreatedBy, &created)
	if err != nil {
		return VoucherBatch{}, nil, store.NotFound(err, "voucher batch "+batchID)
	}
	b.Price, b.ExpiresAt, b.CreatedAt = money.Amount(price), store.Time(expires), store.Time(created)
	rows, err := q.QueryContext(ctx, `SELECT seq, code_sealed, redeemed_at FROM isp_vouchers WHERE batch_id = $1 ORDER BY seq`, batchID)
	if err != nil {
		return VoucherBatch{}, nil, fmt.Errorf("vouchers of %s: %w", batchID, err)
	}
	defer rows.Close()
	var out []Voucher
	for rows.Next() {
		var v Voucher
		var sealed string
		var redeemed sql.NullInt64
		if err := rows.Scan(&v.Seq, &sealed, &redeemed); err != nil {
			return VoucherBatch{}, nil, err
		}
		if v.Code, err = s.seal.Open(sealed, batchID); err != nil {
			return VoucherBatch{}, nil, fmt.Errorf("voucher %d of %s: %w", v.Seq, batchID, err)
		}
		v.RedeemedAt = store.NullTime(redeemed)
		out = append(out, v)
	}
	return b, out, rows.Err()
}

// takeVoucher locks the voucher with code and checks it can be used at
// tx's time; it returns its batch.
func (s *Service) takeVoucher(tx *store.Tx, code string) (VoucherBatch, error) {
	var b VoucherBatch
	var price, expires int64
	var redeemed sql.NullInt64
	err := tx.QueryRow(`SELECT v.redeemed_at, b.id, b.plan_id, b.price, b.expires_at FROM isp_vouchers v JOIN isp_voucher_batches b ON b.id = v.batch_id WHERE v.digest = $1 `+tx.ForUpdate(),
		s.seal.Digest(code)).Scan(&redeemed, &b.ID, &b.PlanID, &price, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return VoucherBatch{}, ErrVoucher
	}
	if err != nil {
		return VoucherBatch{}, fmt.Errorf("voucher: %w", err)
	}
	b.Price, b.ExpiresAt = money.Amount(price), store.Time(expires)
	switch {
	case redeemed.Valid:
		return VoucherBatch{}, ErrUsed
	case !tx.Now.Before(b.ExpiresAt):
		return VoucherBatch{}, ErrExpired
	}
	return b, nil
}

// useVoucher buys the batch's plan for sub with the voucher, at its face
// value, and marks it used by sub's subscriber.
func (s *Service) useVoucher(ctx context.Context, tx *store.Tx, code string, b VoucherBatch, sub *Subscription, actor string) (Purchase, Plan, error) {
	plan, err := getPlan(ctx, tx, b.PlanID)
	if err != nil {
		return Purchase{}, Plan{}, err
	}
	// The purchase names the voucher by its digest: enough to find it, and
	// no use to anyone reading the purchase.
	ref := s.seal.Digest(code)
	p, err := s.buy(tx, sub, plan, payer{by: PaidByVoucher, ref: ref, faceValue: &b.Price}, why{reason: "voucher of batch " + b.ID, actor: actor})
	if err != nil {
		return Purchase{}, Plan{}, err
	}
	if _, err := tx.Exec(`UPDATE isp_vouchers SET redeemed_at = $2, redeemed_by = $3 WHERE digest = $1 AND redeemed_at IS NULL`,
		s.seal.Digest(code), store.Micros(tx.Now), sub.SubscriberID); err != nil {
		return Purchase{}, Plan{}, fmt.Errorf("use voucher: %w", err)
	}
	return p, plan, nil
}

// Redeem uses a voucher (its code as typed) for the subscriber named:
// one period of its plan, added to the current one when it is the same
// plan (see buy). by names who sent it (an SMS from a phone, a USSD
// session, a care agent).
func (s *Service) Redeem(ctx context.Context, code, username, by string) (Purchase, error) {
	c, ok := voucherCode(code)
	if !ok {
		return Purchase{}, ErrVoucher
	}
	p, err := inTx(ctx, s.DB, func(tx *store.Tx) (Purchase, error) {
		b, err := s.takeVoucher(tx, c)
		if err != nil {
			return Purchase{}, err
		}
		to, err := getSubscriber(ctx, tx, `username = $1`, NormalizeUsername(username))
		if err != nil {
			return Purchase{}, err
		}
		plan, err := getPlan(ctx, tx, b.PlanID)
		if err != nil {
			return Purchase{}, err
		}
		sub, err := liveOrNew(ctx, tx, to.ID, plan)
		if err != nil {
			return Purchase{}, err
		}
		p, plan, err := s.useVoucher(ctx, tx, c, b, &sub, by)
		if err != nil {
			return Purchase{}, err
		}
		if err := s.notifyPurchase(ctx, tx, to, sub, plan, p); err != nil {
			return Purchase{}, err
		}
		return p, payment.Audit(tx, by, "isp.voucher", sub.ID, fmt.Sprintf("voucher of batch %s for %s", b.ID, to.Username))
	})
	if err == nil {
		s.messagesQueued()
	}
	return p, err
}

// voucherLogin answers a captive-page login with a voucher's code as the
// username: the first one redeems it into an account named by the code
// (password: the code), and every later one logs into that account.
func (s *Service) voucherLogin(ctx context.Context, r radius.AuthRequest, code string, now time.Time) (radius.AuthDecision, error) {
	if r.Check == nil || !r.Check(code) && !r.Check("") {
		return reject, nil
	}
	device := store.Truncate(r.CallingStationID, 64)
	if !s.vouchers.allowed(r.NAS.ID, device, now) {
		return radius.AuthDecision{Verdict: radius.Reject, Message: voucherTriesMessage}, nil
	}
	// A code that is no voucher (a guess, a typo) is answered from a
	// read, without a write transaction.
	var n int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM isp_vouchers WHERE digest = $1`, s.seal.Digest(code)).Scan(&n); err != nil {
		return radius.AuthDecision{}, fmt.Errorf("voucher login: %w", err)
	}
	if n == 0 {
		s.vouchers.missed(r.NAS.ID, device, now)
		return reject, nil
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		b, err := s.takeVoucher(tx, code)
		if err != nil {
			return err
		}
		to, _, err := s.insertSubscriber(tx, Subscriber{Username: code}, code)
		if err != nil {
			return err
		}
		plan, err := getPlan(ctx, tx, b.PlanID)
		if err != nil {
			return err
		}
		sub, err := subscribe(tx, to.ID, plan.ID)
		if err != nil {
			return err
		}
		_, _, err = s.useVoucher(ctx, tx, code, b, &sub, "voucher")
		return err
	})
	switch {
	case errors.Is(err, ErrExpired):
		return radius.AuthDecision{Verdict: radius.Reject, Message: "This voucher has expired"}, nil
	case errors.Is(err, ErrVoucher):
		return reject, nil
	case err != nil && !errors.Is(err, ErrUsed) && !errors.Is(err, ErrTaken):
		return radius.AuthDecision{}, fmt.Errorf("voucher login: %w", err)
	}
	// Redeemed now, or by this same login a moment ago (its account
	// exists); a voucher redeemed into someone's account logs nobody in.
	a, err := s.authRow(ctx, code, r.CallingStationID)
	if errors.Is(err, sql.ErrNoRows) {
		return radius.AuthDecision{Verdict: radius.Reject, Message: "This voucher has been used"}, nil
	}
	if err != nil {
		return radius.AuthDecision{}, fmt.Errorf("voucher login: %w", err)
	}
	return s.decide(a, now), nil
}
