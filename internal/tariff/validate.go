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

func (v Version) validate() error {
	if err := checkCurrency(v.Currency); err != nil {
		return err
	}
	if err := checkBlocks(v.Blocks); err != nil {
		return err
	}
	if v.FixedMonthly < 0 || v.FixedMonthly > maxAmount {
		return fmt.Errorf("fixed monthly charge %s is out of range (0 to %s)", v.FixedMonthly, maxAmount)
	}
	seen := make(map[string]bool, len(v.Charges))
	for _, c := range v.Charges {
		if err := checkCharge(c); err != nil {
			return err
		}
		if seen[c.Code] {
			return fmt.Errorf("charge %q appears twice", c.Code)
		}
		seen[c.Code] = true
	}
	if err := checkFraction("VAT", v.VAT); err != nil {
		return err
	}
	if err := checkFraction("debt recovery", v.DebtRecovery); err != nil {
		return err
	}
	switch {
	case v.MinPurchase <= 0:
		return fmt.Errorf("minimum purchase %s must be above zero", v.MinPurchase)
	case v.MaxPurchase > maxAmount:
		return fmt.Errorf("maximum purchase %s is above the supported %s", v.MaxPurchase, maxAmount)
	case v.MaxPurchase < v.MinPurchase:
		return fmt.Errorf("maximum purchase %s is below the minimum purchase %s", v.MaxPurchase, v.MinPurchase)
	}
	return nil
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

func checkBlocks(blocks []Block) error {
	if len(blocks) == 0 {
		return fmt.Errorf("there are no energy blocks")
	}
	for i, b := range blocks {
		n := i + 1
		if b.Rate <= 0 || b.Rate > maxRate {
			return fmt.Errorf("energy block %d: rate %s must be above zero and at most %s", n, b.Rate, maxRate)
		}
		last := i == len(blocks)-1
		switch {
		case last && b.UpToWh != 0:
			return fmt.Errorf("energy block %d ends at %s kWh, but the last block must be open-ended (no up_to_kwh)", n, kwhText(b.UpToWh))
		case last:
		case b.UpToWh <= 0:
			return fmt.Errorf("energy block %d has no upper bound, but only the last block may be open-ended", n)
		case b.UpToWh > maxWh:
			return fmt.Errorf("energy block %d ends at %s kWh, above the supported %s kWh", n, kwhText(b.UpToWh), kwhText(maxWh))
		case i > 0 && b.UpToWh <= blocks[i-1].UpToWh:
			return fmt.Errorf("energy block %d ends at %s kWh, not above block %d's %s kWh: blocks must increase",
				n, kwhText(b.UpToWh), n-1, kwhText(blocks[i-1].UpToWh))
		}
	}
	return nil
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

// kwhText shows Wh as kWh without trailing zeros: 30000 is "30".
func kwhText(wh int64) string {
	s := strings.TrimRight(formatScaled(wh, 3), "0")
	return strings.TrimSuffix(s, ".")
}
