package tariff

import (
	"fmt"

	"github.com/mteja/mteja/internal/money"
)

// CostOf returns the least payment that buys at least wh Wh for the meter
// in in (in.Paid is ignored), with debt recovery and the fixed charge taken
// as Price would take them, so that USSD can answer "how much for 20 units"
// with the figure Price will honour. The answer is at least MinPurchase; a
// *LimitError wrapping ErrAboveMaximum means even MaxPurchase buys less.
func (v Version) CostOf(in Input, wh int64) (money.Amount, error) {
	if err := v.Validate(); err != nil {
		return 0, fmt.Errorf("cost of energy: %w", err)
	}
	if wh < 0 {
		return 0, fmt.Errorf("cost of energy: %d Wh is negative", wh)
	}
	in.Paid = v.MinPurchase
	if err := v.checkInput(in); err != nil {
		return 0, fmt.Errorf("cost of energy: %w", err)
	}
	energy := func(paid money.Amount) int64 {
		in.Paid = paid
		return v.price(in).Energy
	}
	if energy(v.MaxPurchase) < wh {
		return 0, &LimitError{Err: ErrAboveMaximum, Paid: v.MaxPurchase + 1, Limit: v.MaxPurchase, Currency: v.Currency}
	}
	// Energy never falls as the payment rises, so the least sufficient
	// payment can be found by bisection: about 25 quotes for KES 35,000.
	lo, hi := v.MinPurchase, v.MaxPurchase
	for lo < hi {
		mid := lo + (hi-lo)/2
		if energy(mid) >= wh {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}
