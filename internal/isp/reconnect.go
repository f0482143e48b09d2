package isp

import (
	"context"
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// ErrReason is returned when staff change a subscription or a session
// without saying why: a reason is kept with every change.
var ErrReason = errors.New("say why: a reason is kept with every change")

// Reconnect gives a suspended subscription its service back (staff: the
// suspension was a mistake, or its cause is settled), for what is left of
// the period it paid for. One with nothing left (its period over, or its
// data used up) is paid for, not reconnected: paying makes it active.
func (s *Service) Reconnect(ctx context.Context, subscriptionID, by, reason string) error {
	if reason == "" {
		return ErrReason
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		sub, err := lockSubscription(tx, subscriptionID)
		if err != nil {
			return err
		}
		switch {
		case sub.State != Suspended:
			return fmt.Errorf("subscription %s is %s, not suspended: %w", subscriptionID, sub.State, ErrState)
		case !sub.EndsAt.IsZero() && !sub.EndsAt.After(tx.Now), sub.exhausted():
			return fmt.Errorf("subscription %s has nothing left of its period: it is reconnected by paying: %w", subscriptionID, ErrState)
		}
		from := sub
		sub.State = Active
		if err := s.move(tx, &sub, from, why{reason: reason, actor: by}); err != nil {
			return err
		}
		return payment.Audit(tx, by, "isp.reconnect", subscriptionID, reason)
	})
}
