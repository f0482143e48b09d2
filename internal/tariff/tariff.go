// Package tariff prices prepaid electricity: given the amount paid, the
// energy this meter already bought this calendar month and any arrears, it
// says how much energy the customer gets and how the payment splits into the
// lines of a Kenyan-style token receipt (Token Amt, VAT, fuel, forex, levies),
// which add up exactly to the amount paid.
//
// Tariffs are versioned: a file holds one or more versions, each in force from
// a date in East Africa Time. All figures are exact integers parsed from the
// file's decimal text; no float ever holds a rate or an amount.
//
// The package is pure: it parses bytes it is given and computes; callers
// bring the month's energy and arrears from their own records.
package tariff

import (
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// Zone is East Africa Time, in which effective dates and calendar months are
// reckoned. Kenya has kept UTC+3 without daylight saving since 1960, so a
// fixed zone is exact and needs no zoneinfo files.
var Zone = time.FixedZone("EAT", 3*60*60)

// MonthStart returns midnight EAT on the first day of the calendar month that
// contains t: block thresholds and the fixed monthly charge count from there.
func MonthStart(t time.Time) time.Time {
	t = t.In(Zone)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, Zone)
}

// Tariff is a named schedule and its versions, oldest first.
type Tariff struct {
	Name     string
	Currency string
	Versions []Version
}

// ErrNoVersion is returned by At for a time before the first version.
var ErrNoVersion = errors.New("no tariff version in force")

// At returns the version in force at t: the latest whose effective date (EAT
// midnight) is not after t.
func (t Tariff) At(at time.Time) (Version, error) {
	for i := len(t.Versions) - 1; i >= 0; i-- {
		if !t.Versions[i].EffectiveFrom.After(at) {
			return t.Versions[i], nil
		}
	}
	if len(t.Versions) == 0 {
		return Version{}, fmt.Errorf("tariff %q: %w: it has no versions", t.Name, ErrNoVersion)
	}
	return Version{}, fmt.Errorf("tariff %q: %w at %s: the first starts %s", t.Name, ErrNoVersion,
		at.In(Zone).Format("2006-01-02 15:04 MST"), t.Versions[0].EffectiveFrom.Format(dateLayout))
}

// Where a version stands at a time, as State says.
const (
	StatePast    = "past"     // a later version has started
	StateInForce = "in_force" // the version vends are priced with
	StateFuture  = "future"   // its date has not come
)

// State says where the i-th version stands at now: StateFuture before its
// date, StatePast once the next version's date has come, else
// StateInForce.
func (t Tariff) State(i int, now time.Time) string {
	switch {
	case t.Versions[i].EffectiveFrom.After(now):
		return StateFuture
	case i+1 < len(t.Versions) && !t.Versions[i+1].EffectiveFrom.After(now):
		return StatePast
	}
	return StateInForce
}

// MinPurchase returns the smallest payment the version in force at t accepts;
// payment intake uses it to refuse an M-Pesa payment before it is taken.
func (t Tariff) MinPurchase(at time.Time) (money.Amount, error) {
	v, err := t.At(at)
	return v.MinPurchase, err
}

// MaxPurchase returns the largest payment the version in force at t accepts.
func (t Tariff) MaxPurchase(at time.Time) (money.Amount, error) {
	v, err := t.At(at)
	return v.MaxPurchase, err
}

// Version is one set of figures, in force from EffectiveFrom until the next
// version's date.
type Version struct {
	// EffectiveFrom is midnight EAT of the first day in force.
	EffectiveFrom time.Time
	Currency      string

	// Blocks price energy by this meter's cumulative consumption in the
	// calendar month, lowest first; the last is open-ended.
	Blocks []Block

	// FixedMonthly is taken (before energy) on the first vend of each month.
	FixedMonthly money.Amount

	// Charges are the per-kWh pass-throughs and the levies, in the order the
	// tariff file lists them (pass-throughs first); receipts keep that order.
	Charges []Charge

	// VAT is charged on the energy charge when VATOnEnergy, on the fixed
	// charge when VATOnFixed, and on each charge whose VAT flag is set.
	VAT         Fraction
	VATOnEnergy bool
	VATOnFixed  bool

	// DebtRecovery is the share of each payment applied to arrears first.
	DebtRecovery Fraction

	MinPurchase money.Amount
	MaxPurchase money.Amount

	// Labels overrides the receipt wording per line code; codes missing here
	// use the built-in English and Swahili labels.
	Labels map[string]Label
}

// Block is one step of the energy price. UpToWh is the cumulative monthly
// consumption (in Wh) at which the block ends; 0 marks the open-ended last
// block.
type Block struct {
	UpToWh int64
	Rate   Rate
}

// ChargeKind says how a charge is computed from the energy bought.
type ChargeKind uint8

const (
	// PassThrough is a per-kWh cost passed on to customers (fuel, forex,
	// inflation), published monthly.
	PassThrough ChargeKind = iota + 1
	// LevyPerKWh is a per-kWh levy (energy regulator, water resources).
	LevyPerKWh
	// LevyOfEnergy is a levy as a share of the energy charge (rural
	// electrification).
	LevyOfEnergy
)

// String names the kind as tariff files and reports do: "pass_through",
// "levy_per_kwh", "levy_of_energy".
func (k ChargeKind) String() string {
	switch k {
	case PassThrough:
		return "pass_through"
	case LevyPerKWh:
		return "levy_per_kwh"
	case LevyOfEnergy:
		return "levy_of_energy"
	}
	return fmt.Sprintf("ChargeKind(%d)", uint8(k))
}

// Charge is one pass-through or levy line. Rate applies to the per-kWh kinds,
// Share to LevyOfEnergy.
type Charge struct {
	Code  string
	Kind  ChargeKind
	Rate  Rate
	Share Fraction
	VAT   bool
}

// Label is a receipt line's wording in English and Swahili.
type Label struct {
	EN string
	SW string
}
