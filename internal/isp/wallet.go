package isp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// Kinds of wallet entries.
const (
	EntryPayment  = "payment"  // an M-Pesa payment credited (ref: the payment)
	EntryPurchase = "purchase" // a plan bought (ref: the purchase)
)

// WalletEntry is one movement of a subscriber's wallet.
type WalletEntry struct {
	Kind    string
	Ref     string
	Amount  money.Amount // credit > 0, debit < 0
	Balance money.Amount // after it
	At      time.Time
}

// walletMove changes a wallet by amount and records why; (kind, ref) is
// unique, so nothing is credited twice. A debit the wallet cannot cover
// is ErrFunds and changes nothing.
func walletMove(tx *store.Tx, subscriberID, kind, ref string, amount money.Amount) (money.Amount, error) {
	var bal int64
	err := tx.QueryRow(`UPDATE isp_subscribers SET balance = balance + $2, updated_at = $3 WHERE id = $1 AND balance + $2 >= 0 RETURNING balance`,
		subscriberID, int64(amount), store.Micros(tx.Now)).Scan(&bal)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("wallet of %s: %s needed: %w", subscriberID, -amount, ErrFunds)
	}
	if err != nil {
		return 0, fmt.Errorf("wallet of %s: %w", subscriberID, err)
	}
	if _, err := tx.Exec(`INSERT INTO isp_wallet_entries (id, subscriber_id, kind, ref, amount, balance, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		uuid.Must(uuid.NewV7()).String(), subscriberID, kind, ref, int64(amount), bal, store.Micros(tx.Now)); err != nil {
		return 0, fmt.Errorf("wallet of %s: entry %s %s: %w", subscriberID, kind, ref, err)
	}
	return money.Amount(bal), nil
}

// Wallet returns a subscriber's newest wallet entries, newest first.
func (s *Service) Wallet(ctx context.Context, subscriberID string, limit int) ([]WalletEntry, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT kind, ref, amount, balance, at FROM isp_wallet_entries WHERE subscriber_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
		subscriberID, limit)
	if err != nil {
		return nil, fmt.Errorf("wallet of %s: %w", subscriberID, err)
	}
	defer rows.Close()
	var out []WalletEntry
	for rows.Next() {
		var e WalletEntry
		var amount, bal, at int64
		if err := rows.Scan(&e.Kind, &e.Ref, &amount, &bal, &at); err != nil {
			return nil, err
		}
		e.Amount, e.Balance, e.At = money.Amount(amount), money.Amount(bal), store.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
