package tariff

import (
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/money"
)

// Input is what Price needs to know about a payment and the meter.
type Input struct {
	Paid money.Amount
	// MonthEnergy is the energy this meter already bought in the current
	// calendar month (EAT), in Wh; it places the purchase in the blocks.
	MonthEnergy int64
	// FirstVendOfMonth asks for the fixed monthly charge to be taken.
	FirstVendOfMonth bool
	// Debt is the meter's arrears outstanding.
	Debt money.Amount
}

var (
	// ErrBelowMinimum and ErrAboveMaximum are wrapped by a *LimitError, which
	// carries the limit; payment intake turns them into an M-Pesa validation
	// refusal before the money is taken.
	ErrBelowMinimum = errors.New("below the minimum purchase")
	ErrAboveMaximum = errors.New("above the maximum purchase")
)

// LimitError is a payment outside the version's purchase limits.
type LimitError struct {
	Err      error // ErrBelowMinimum or ErrAboveMaximum
	Paid     money.Amount
	Limit    money.Amount
	Currency string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s is %s of %s", e.Paid.Format(e.Currency), e.Err, e.Limit.Format(e.Currency))
}

func (e *LimitError) Unwrap() error { return e.Err }

// maxMonthWh bounds the month's prior energy an Input may claim (1 TWh).
const maxMonthWh = maxWh

// Price splits a payment, in this order:
//
//  1. Debt recovery: min(Debt, DebtRecovery × Paid), the product rounded down
//     to the cent so no more than the configured share is ever taken.
//  2. The fixed monthly charge with its VAT, if FirstVendOfMonth. Its VAT is
//     a whole-cent figure of the tariff (fixed × VAT, half up), so the charge
//     is the same every month. If what is left cannot cover it, all of it
//     goes to the charge (split between fixed and VAT in proportion) and the
//     rest is reported as FixedCarried for the caller to add to arrears.
//  3. The rest buys energy. Per block, one kWh costs the rate, the
//     pass-throughs, the per-kWh levies, the levies on the energy charge and
//     VAT on the parts it applies to; the purchase climbs through the blocks
//     from MonthEnergy. All of this is exact (integers, no rounding); the
//     energy is rounded up to the Wh once at the end.
//
// Rounding happens once per line: each pass-through, levy and the VAT is
// rounded half up to the cent from its exact value, and the "energy" line is
// what remains of the money, so the lines add up to Paid exactly and any
// residual cents fall in the energy line. Should that leave the energy line
// negative (only when a few cents buy energy), the other lines are rounded
// down instead, which keeps every line non-negative.
func (v Version) Price(in Input) (Quote, error) {
	if err := v.Validate(); err != nil {
		return Quote{}, fmt.Errorf("price: %w", err)
	}
	if err := v.checkInput(in); err != nil {
		return Quote{}, err
	}
	return v.price(in), nil
}

func (v Version) checkInput(in Input) error {
	switch {
	case in.Paid < v.MinPurchase:
		return &LimitError{Err: ErrBelowMinimum, Paid: in.Paid, Limit: v.MinPurchase, Currency: v.Currency}
	case in.Paid > v.MaxPurchase:
		return &LimitError{Err: ErrAboveMaximum, Paid: in.Paid, Limit: v.MaxPurchase, Currency: v.Currency}
	case in.Debt < 0:
		return fmt.Errorf("price: debt %s is negative", in.Debt)
	case in.MonthEnergy < 0 || in.MonthEnergy > maxMonthWh:
		return fmt.Errorf("price: the month's energy so far, %d Wh, is out of range (0 to %d)", in.MonthEnergy, maxMonthWh)
	}
	return nil
}

// price computes a quote for a valid version and input.
func (v Version) price(in Input) Quote {
	q := Quote{Paid: in.Paid, Currency: v.Currency, VersionEffective: v.EffectiveFrom}
	rest := in.Paid

	due := mulDiv(int64(in.Paid), int64(v.DebtRecovery), int64(Whole), false)
	q.DebtRecovered = min(in.Debt, money.Amount(due))
	rest -= q.DebtRecovered

	var fixedVAT money.Amount
	if in.FirstVendOfMonth && v.FixedMonthly > 0 {
		vat := money.Amount(0)
		if v.VATOnFixed {
			vat = money.Amount(mulDiv(int64(v.FixedMonthly), int64(v.VAT), int64(Whole), true))
		}
		if total := v.FixedMonthly + vat; rest >= total {
			q.FixedCharge, fixedVAT = v.FixedMonthly, vat
			rest -= total
		} else {
			fixedVAT = money.Amount(mulDiv(int64(rest), int64(vat), int64(total), true))
			q.FixedCharge = rest - fixedVAT
			q.FixedCarried = total - rest
			rest = 0
		}
	}

	p := v.buy(rest, in.MonthEnergy)
	q.Energy = p.wh
	q.Units = formatKWh(p.wh)
	q.TokenTenths = (p.wh + 99) / 100
	q.Blocks = p.blocks

	q.Lines = make([]Line, 0, len(p.lines)+2)
	for i, amount := range p.lines {
		code := CodeEnergy
		switch {
		case i == lineVAT:
			code = CodeVAT
			amount += fixedVAT
		case i >= lineCharges:
			code = v.Charges[i-lineCharges].Code
		}
		q.Lines = append(q.Lines, v.line(code, amount))
	}
	if q.FixedCharge > 0 {
		q.Lines = append(q.Lines, v.line(CodeFixed, q.FixedCharge))
	}
	if q.DebtRecovered > 0 {
		q.Lines = append(q.Lines, v.line(CodeDebt, q.DebtRecovered))
	}
	return q
}

func (v Version) line(code string, amount money.Amount) Line {
	l := v.Label(code)
	return Line{Code: code, Label: l.EN, LabelSW: l.SW, Amount: amount}
}
