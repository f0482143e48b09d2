package tariff

import (
	"time"

	"github.com/mteja/mteja/internal/money"
)

// Quote is the outcome of pricing one payment: the energy it buys and the
// receipt lines, which always add up exactly to Paid.
type Quote struct {
	Paid money.Amount
	// DebtRecovered is the part of Paid applied to arrears (also the "debt"
	// line).
	DebtRecovered money.Amount
	// FixedCharge is the fixed monthly charge taken, without its VAT (also the
	// "fixed" line; the VAT is in the "vat" line).
	FixedCharge money.Amount
	// FixedCarried is the part of the month's fixed charge, VAT included, that
	// this payment could not cover after debt recovery. The caller adds it to
	// the meter's arrears, where debt recovery collects it from later
	// payments; the month's charge is not taken again.
	FixedCarried money.Amount

	// Energy is what the customer bought, in Wh, rounded up to the Wh.
	Energy int64
	// Units is Energy in kWh with two decimals ("6.13"), for receipts.
	Units string
	// TokenTenths is the token's amount in 0.1 kWh: Energy rounded up, so the
	// meter never gets less than was paid for.
	TokenTenths int64

	Lines  []Line
	Blocks []BlockUse

	Currency         string
	VersionEffective time.Time
}

// Line is one receipt line.
type Line struct {
	Code    string
	Label   string
	LabelSW string
	Amount  money.Amount
}

// BlockUse is the energy bought in one block of the tariff. Amount is that
// energy's share of the "energy" line; the shares add up to the line exactly.
type BlockUse struct {
	Rate   Rate
	Wh     int64
	Amount money.Amount
}

// Total is the sum of the lines; it always equals Paid.
func (q Quote) Total() money.Amount {
	var sum money.Amount
	for _, l := range q.Lines {
		sum += l.Amount
	}
	return sum
}

// ChargesExceptEnergy is everything but the "energy" (Token Amt) line, which
// the short token SMS shows summed as one figure.
func (q Quote) ChargesExceptEnergy() money.Amount {
	return q.Total() - q.Line(CodeEnergy).Amount
}

// Line returns the line with the code, or a zero Line (Amount 0) when the
// quote has none: a receipt template can ask for "fixed" unconditionally.
func (q Quote) Line(code string) Line {
	for _, l := range q.Lines {
		if l.Code == code {
			return l
		}
	}
	return Line{}
}
