package isp

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// BatchSummary is a voucher batch with how many of it are used.
type BatchSummary struct {
	VoucherBatch
	Used int
}

// VoucherBatches returns the newest batches, at most limit (at most 500).
func (s *Service) VoucherBatches(ctx context.Context, limit int) ([]BatchSummary, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	return s.batches(ctx, `ORDER BY b.created_at DESC, b.id LIMIT $1`, limit)
}

// Batch returns one batch with how many of it are used.
func (s *Service) Batch(ctx context.Context, id string) (BatchSummary, error) {
	bs, err := s.batches(ctx, `WHERE b.id = $1`, id)
	if err == nil && len(bs) == 0 {
		err = store.NotFound(sql.ErrNoRows, "voucher batch "+id)
	}
	if err != nil {
		return BatchSummary{}, err
	}
	return bs[0], nil
}

func (s *Service) batches(ctx context.Context, rest string, args ...any) ([]BatchSummary, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT b.id, b.plan_id, b.count, b.price, b.expires_at, b.note, b.created_by, b.created_at,
			(SELECT count(*) FROM isp_vouchers v WHERE v.batch_id = b.id AND v.redeemed_at IS NOT NULL)
		FROM isp_voucher_batches b `+rest, args...)
	if err != nil {
		return nil, fmt.Errorf("voucher batches: %w", err)
	}
	defer rows.Close()
	var out []BatchSummary
	for rows.Next() {
		var b BatchSummary
		var price, expires, created int64
		if err := rows.Scan(&b.ID, &b.PlanID, &b.Count, &price, &expires, &b.Note, &b.CreatedBy, &created, &b.Used); err != nil {
			return nil, fmt.Errorf("voucher batches: %w", err)
		}
		b.Price, b.ExpiresAt, b.CreatedAt = money.Amount(price), store.Time(expires), store.Time(created)
		out = append(out, b)
	}
	return out, rows.Err()
}

// VoucherUse is one voucher of a batch, without its code: which are
// used, when and by whom.
type VoucherUse struct {
	Seq        int
	RedeemedAt time.Time // zero while unused
	Username   string    // who used it; "" while unused
}

// VoucherUses returns a batch's vouchers in order, used or not. Codes are
// left out: only the printed sheet (an audit event) shows them.
func (s *Service) VoucherUses(ctx context.Context, batchID string) ([]VoucherUse, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT v.seq, v.redeemed_at, COALESCE(s.username, '')
		FROM isp_vouchers v LEFT JOIN isp_subscribers s ON s.id = v.redeemed_by WHERE v.batch_id = $1 ORDER BY v.seq`, batchID)
	if err != nil {
		return nil, fmt.Errorf("vouchers of %s: %w", batchID, err)
	}
	defer rows.Close()
	var out []VoucherUse
	for rows.Next() {
		var u VoucherUse
		var at sql.NullInt64
		if err := rows.Scan(&u.Seq, &at, &u.Username); err != nil {
			return nil, fmt.Errorf("vouchers of %s: %w", batchID, err)
		}
		u.RedeemedAt = store.NullTime(at)
		out = append(out, u)
	}
	return out, rows.Err()
}
