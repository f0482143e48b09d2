package ussd

import (
	"context"
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/money"
)

// amountEntry asks how much to pay for the chosen meter.
type amountEntry struct {
	m   meterRef
	lim Limits
}

func (n amountEntry) render(s *session, hint string) screen {
	prompt := fmt.Sprintf(s.t.EnterAmountFrom, s.amount(n.min()))
	if n.lim.Max > 0 {
		prompt = fmt.Sprintf(s.t.EnterAmount, s.amount(n.min()), s.amount(n.lim.Max))
	}
	return con(withHint(hint, fmt.Sprintf(s.t.Meter, meterName(n.m)), prompt, s.t.BackHome)...)
}

// min is the smallest amount offered: M-Pesa takes whole shillings, at
// least one.
func (n amountEntry) min() money.Amount {
	return max(n.lim.Min, money.MustFromMajor(1))
}

func (n amountEntry) next(s *session, in string, _ bool) (step, error) {
	a, err := money.Parse(in)
	if err != nil || a <= 0 || !a.IsWhole() {
		return stay(s.t.BadAmount), nil
	}
	if a < n.min() {
		return stay(fmt.Sprintf(s.t.BelowMin, s.amount(n.min()))), nil
	}
	if n.lim.Max > 0 && a > n.lim.Max {
		return stay(fmt.Sprintf(s.t.AboveMax, s.amount(n.lim.Max))), nil
	}
	return goTo(buyConfirm{m: n.m, amount: a}), nil
}

// buyConfirm asks before the STK push: it costs the caller money.
type buyConfirm struct {
	m      meterRef
	amount money.Amount
}

func (n buyConfirm) render(s *session, hint string) screen {
	return con(withHint(hint,
		fmt.Sprintf(s.t.ConfirmBuy, s.amount(n.amount), meterName(n.m)),
		s.t.PayMpesa,
		s.t.BackHome)...)
}

func (n buyConfirm) next(s *session, in string, last bool) (step, error) {
	if in != "1" {
		return stay(s.t.InvalidChoice), nil
	}
	return s.act(last, func(ctx context.Context) (string, error) {
		err := s.h.b.BuyToken(ctx, s.msisdn, n.m.DRN, n.amount)
		var lim *LimitError
		switch {
		case errors.As(err, &lim) && lim.Max > 0:
			return fmt.Sprintf(s.t.BuyLimit, s.amount(lim.Min), s.amount(lim.Max)), nil
		case errors.As(err, &lim):
			return fmt.Sprintf(s.t.BelowMin, s.amount(lim.Min)) + ". " + s.t.SessionOver, nil
		case err != nil:
			return "", fmt.Errorf("buy %s for %s: %w", n.amount.Plain(), n.m.DRN, err)
		}
		return fmt.Sprintf(s.t.BuyStarted, s.amount(n.amount)), nil
	})
}
