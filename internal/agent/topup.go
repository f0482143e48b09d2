package agent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// ApplyTopUps credits the floats that received top-ups name (payments of
// service payment.AgentFloat, stored by the M-Pesa intake before M-Pesa
// was answered) and returns how many it applied. Each payment is applied
// once: the state change from received to applied is conditional, in the
// transaction that credits the float. A top-up naming no active outlet
// goes to suspense for staff.
func (s *Service) ApplyTopUps(ctx context.Context) (int, error) {
	// A read answers the usual case, no top-up waiting, without taking the
	// writer: the intake wakes this applier after every batch it commits,
	// and on SQLite an empty write transaction still waits its turn behind
	// the vends (measured: 80 a second under load).
	var waiting int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM payments WHERE state = 'received' AND service = $1 LIMIT 1) x`,
		payment.AgentFloat).Scan(&waiting); err != nil {
		return 0, fmt.Errorf("float top-ups waiting: %w", err)
	}
	if waiting == 0 {
		return 0, nil
	}
	applied := 0
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		applied = 0
		type topUp struct {
			id, receipt, ref string
			amount           int64
		}
		rows, err := tx.Query(`SELECT id, receipt, account_ref, amount FROM payments WHERE state = 'received' AND service = $1
			ORDER BY received_at LIMIT 100 `+tx.SkipLocked(), payment.AgentFloat)
		if err != nil {
			return fmt.Errorf("float top-ups: %w", err)
		}
		var todo []topUp
		for rows.Next() {
			var t topUp
			if err := rows.Scan(&t.id, &t.receipt, &t.ref, &t.amount); err != nil {
				rows.Close()
				return fmt.Errorf("float top-ups: %w", err)
			}
			todo = append(todo, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("float top-ups: %w", err)
		}
		for _, t := range todo {
			code := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(t.ref)), payment.AgentPrefix)
			var outletID string
			err := tx.QueryRow(`SELECT id FROM agent_outlets WHERE code = $1 AND status = 'active'`, code).Scan(&outletID)
			if errors.Is(err, sql.ErrNoRows) {
				if err := s.topUpSuspense(tx, t.id, t.amount, fmt.Sprintf("no active outlet %q (account typed as %q)", code, t.ref)); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("float top-up %s: %w", t.receipt, err)
			}
			res, err := tx.Exec(`UPDATE payments SET state = 'applied', resolved_at = $2 WHERE id = $1 AND state = 'received'`, t.id, store.Micros(tx.Now))
			if err != nil {
				return fmt.Errorf("float top-up %s: %w", t.receipt, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				continue
			}
			if _, err := tx.Exec(`UPDATE agent_outlets SET float = float + $2 WHERE id = $1`, outletID, t.amount); err != nil {
				return fmt.Errorf("float top-up %s: %w", t.receipt, err)
			}
			if err := ledger.Post(tx, ledger.Transfer("float:"+t.id, "agent_topup", t.id, ledger.AgentUnapplied, ledger.AgentFloat(outletID), money.Amount(t.amount))); err != nil {
				return err
			}
			if err := payment.Audit(tx, "mpesa", "agent.float_topup", "outlet:"+code, fmt.Sprintf("receipt %s, %s", t.receipt, money.Amount(t.amount))); err != nil {
				return err
			}
			applied++
		}
		return nil
	})
	return applied, err
}

func (s *Service) topUpSuspense(tx *store.Tx, id string, amount int64, reason string) error {
	res, err := tx.Exec(`UPDATE payments SET state = 'suspense', reason = $2 WHERE id = $1 AND state = 'received'`, id, store.Truncate(reason, 300))
	if err != nil {
		return fmt.Errorf("float top-up to suspense: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return err
	}
	return ledger.Post(tx, ledger.Transfer("suspend:"+id, "suspense", id, ledger.AgentUnapplied, ledger.Suspense, money.Amount(amount)))
}

// RunTopUps applies top-ups until ctx ends: at once when woken (after the
// intake stored a payment), and every poll interval for those another node
// stored.
func (s *Service) RunTopUps(ctx context.Context, wake <-chan struct{}, poll time.Duration, log *slog.Logger) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		looked := time.Now()
		for {
			n, err := s.ApplyTopUps(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Error("agent float top-ups", "err", err)
				}
				break
			}
			if n < 100 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
			// The intake wakes this loop after every batch it commits,
			// hundreds of times a second under load and nearly always for
			// electricity: a wake within 25 ms of the last look waits out
			// the gap, so one look answers a burst.
			select {
			case <-ctx.Done():
				return
			case <-time.After(25*time.Millisecond - time.Since(looked)):
			}
		case <-t.C:
		}
	}
}

// TopUpPayable reports whether a Paybill account reference is a float
// top-up for an active outlet ("AGENT" and its code), for M-Pesa's
// validation request: a top-up for no outlet is refused before the agent
// pays. A reference without the prefix is no top-up (false).
func TopUpPayable(ctx context.Context, q Querier, billRef string) (bool, error) {
	ref := strings.ToUpper(strings.TrimSpace(billRef))
	if !strings.HasPrefix(ref, payment.AgentPrefix) {
		return false, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM agent_outlets WHERE code = $1 AND status = 'active'`,
		strings.TrimPrefix(ref, payment.AgentPrefix)).Scan(&n); err != nil {
		return false, fmt.Errorf("float top-up account: %w", err)
	}
	return n == 1, nil
}
