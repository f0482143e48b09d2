package tariff

import (
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/money"
)

// Bounds on configured figures. They are far beyond any real tariff in any
// currency Mteja serves (UGX rates run near 800/kWh), and keep every
// intermediate of the pricing arithmetic and every result inside int64.
const (
	maxRate    Rate         = 1_000_000 * RateScale // per kWh
	maxAmount  money.Amount = 10_000_000_000 * 100  // purchase limits, fixed charge
	maxWh      int64        = 1_000_000_000 * 1000  // block thresholds: 1 TWh
	maxCode                 = 64
	dateLayout              = "2006-01-02"
)

// Validate checks a tariff: a name, a currency, at least one version, and
// versions strictly in date order, each valid.
func (t Tariff) Validate() error {
	if strings.TrimSpace(t.Name) == "" {
		return fmt.Errorf("tariff has no name")
	}
	if err := checkCurrency(t.Currency); err != nil {
		return err
	}
	if len(t.Versions) == 0 {
		return fmt.Errorf("tariff %q has no versions", t.Name)
	}
	for i, v := range t.Versions {
		if v.Currency != t.Currency {
			return fmt.Errorf("version from %s is in %q, not the tariff's %q", v.EffectiveFrom.Format(dateLayout), v.Currency, t.Currency)
		}
		if err := v.Validate(); err != nil {
			return err
		}
		if i > 0 && !v.EffectiveFrom.After(t.Versions[i-1].EffectiveFrom) {
			return fmt.Errorf("version from %s does not come after the version from %s: list versions oldest first, one per date",
				v.EffectiveFrom.Format(dateLayout), t.Versions[i-1].EffectiveFrom.Format(dateLayout))
		}
	}
	return nil
}

// Validate checks one version. Price calls it too, so a Version built in code
// can never divide by a zero price or overflow.
func (v Version) Validate() error {
	if v.EffectiveFrom.IsZero() {
		return fmt.Errorf("version has no effective date")
	}
	if err := v.validate(); err != nil {
		return fmt.Errorf("version from %s: %w", v.EffectiveFrom.In(Zone).Format(dateLayout), err)
	}
	return nil
}

// Keys of a version in a tariff file. Validation names the keys whose
// figures an issue concerns, so that the parser can point at their line.
const (
	keyEffective   = "effective_from"
	keyBlocks      = "energy_blocks"
	keyFixed       = "fixed_monthly_charge"
	keyPassThrough = "pass_through_per_kwh"
	keyLevies      = "levies"
	keyVAT         = "vat_pct"
	keyVATOn       = "vat_applies_to"
	keyDebt        = "debt_recovery_pct"
	keyMin         = "min_purchase"
	keyMax         = "max_purchase"
)

// issue is one thing wrong with a version's figures.
type issue struct {
	keys  []string // the file keys it concerns; the first is the one to point at
	block int      // the energy block's index, or -1
	code  string   // the charge's code, or ""
	err   error
}

func (v Version) validate() error {
	if is := v.issues(); len(is) > 0 {
		return is[0].err
	}
	return nil
}

// issues returns everything wrong with the version, in the order of the
// file's keys: Validate reports the first, the parser all of them.
func (v Version) issues() []issue {
	var out []issue
	add := func(err error, keys ...string) {
		if err != nil {
			out = append(out, issue{keys: keys, block: -1, err: err})
		}
	}
	add(checkCurrency(v.Currency))
	out = append(out, blockIssues(v.Blocks)...)
	if v.FixedMonthly < 0 || v.FixedMonthly > maxAmount {
		add(fmt.Errorf("fixed monthly charge %s is out of range (0 to %s)", v.FixedMonthly, maxAmount), keyFixed)
	}
	seen := make(map[string]bool, len(v.Charges))
	for _, c := range v.Charges {
		key := keyLevies
		if c.Kind == PassThrough {
			key = keyPassThrough
		}
		if err := checkCharge(c); err != nil {
			out = append(out, issue{keys: []string{key}, block: -1, code: c.Code, err: err})
		}
		if seen[c.Code] {
			out = append(out, issue{keys: []string{key, keyPassThrough, keyLevies}, block: -1, code: c.Code,
				err: fmt.Errorf("charge %q appears twice", c.Code)})
		}
		seen[c.Code] = true
	}
	add(checkFraction("VAT", v.VAT), keyVAT)
	add(checkFraction("debt recovery", v.DebtRecovery), keyDebt)
	if v.MinPurchase <= 0 {
		add(fmt.Errorf("minimum purchase %s must be above zero", v.MinPurchase), keyMin)
	}
	switch {
	case v.MaxPurchase > maxAmount:
		add(fmt.Errorf("maximum purchase %s is above the supported %s", v.MaxPurchase, maxAmount), keyMax)
	case v.MaxPurchase < v.MinPurchase:
		add(fmt.Errorf("maximum purchase %s is below the minimum purchase %s", v.MaxPurchase, v.MinPurchase), keyMax, keyMin)
	}
	return out
}

func checkCurrency(c string) error {
	ok := len(c) == 3
	for i := 0; ok && i < len(c); i++ {
		ok = c[i] >= 'A' && c[i] <= 'Z'
	}
	if !ok {
		return fmt.Errorf("currency %q is not a three-letter code like KES", c)
	}
	return nil
}

// blockIssues checks the energy blocks: each rate, and thresholds that
// rise with only the last block open-ended.
func blockIssues(blocks []Block) []issue {
	if len(blocks) == 0 {
		return []issue{{keys: []string{keyBlocks}, block: -1, err: fmt.Errorf("there are no energy blocks")}}
	}
	var out []issue
	for i, b := range blocks {
		add := func(format string, args ...any) {
			out = append(out, issue{keys: []string{keyBlocks}, block: i, err: fmt.Errorf(format, args...)})
		}
		n := i + 1
		if b.Rate <= 0 || b.Rate > maxRate {
			add("energy block %d: rate %s must be above zero and at most %s", n, b.Rate, maxRate)
		}
		last := i == len(blocks)-1
		switch {
		case last && b.UpToWh != 0:
			add("energy block %d ends at %s kWh, but the last block must be open-ended (no up_to_kwh)", n, KWhText(b.UpToWh))
		case last:
		case b.UpToWh <= 0:
			add("energy block %d has no upper bound, but only the last block may be open-ended", n)
		case b.UpToWh > maxWh:
			add("energy block %d ends at %s kWh, above the supported %s kWh", n, KWhText(b.UpToWh), KWhText(maxWh))
		case i > 0 && b.UpToWh <= blocks[i-1].UpToWh:
			add("energy block %d ends at %s kWh, not above block %d's %s kWh: blocks must increase",
				n, KWhText(b.UpToWh), n-1, KWhText(blocks[i-1].UpToWh))
		}
	}
	return out
}

func checkCharge(c Charge) error {
	if err := checkCode(c.Code); err != nil {
		return err
	}
	switch c.Kind {
	case PassThrough, LevyPerKWh:
		if c.Rate < 0 || c.Rate > maxRate {
			return fmt.Errorf("charge %q: rate %s is out of range (0 to %s)", c.Code, c.Rate, maxRate)
		}
		if c.Share != 0 {
			return fmt.Errorf("charge %q is per kWh but has a share of energy too", c.Code)
		}
	case LevyOfEnergy:
		if err := checkFraction(fmt.Sprintf("charge %q", c.Code), c.Share); err != nil {
			return err
		}
		if c.Rate != 0 {
			return fmt.Errorf("charge %q is a share of energy but has a per-kWh rate too", c.Code)
		}
	default:
		return fmt.Errorf("charge %q has no kind", c.Code)
	}
	return nil
}

// checkCode keeps line codes to lower-case identifiers: they key templates,
// ledger accounts and reports.
func checkCode(code string) error {
	ok := code != "" && len(code) <= maxCode && code[0] >= 'a' && code[0] <= 'z'
	for i := 0; ok && i < len(code); i++ {
		c := code[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if !ok {
		return fmt.Errorf("charge code %q must be lower-case letters, digits and underscores, starting with a letter", code)
	}
	if reservedCode(code) {
		return fmt.Errorf("charge code %q is reserved for a line every receipt has", code)
	}
	return nil
}

func checkFraction(what string, f Fraction) error {
	if f < 0 || f > Whole {
		return fmt.Errorf("%s of %s is out of range (0%% to 100%%)", what, f)
	}
	return nil
}

// KWhText shows Wh as kWh without trailing zeros: 30000 is "30", 30500
// "30.5".
func KWhText(wh int64) string {
	s := strings.TrimRight(formatScaled(wh, 3), "0")
	return strings.TrimSuffix(s, ".")
}
