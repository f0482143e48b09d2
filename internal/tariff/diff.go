package tariff

import (
	"fmt"
	"slices"
	"strings"
)

// Diff lists, in words, how w's figures differ from v's: "VAT 16% → 18%",
// "fuel_energy_cost 3.5900 → 2.7800 per kWh". The effective date and the
// labels are not compared: the one is the version's identity, the others
// word receipts without pricing them. No differences means both price every
// payment alike.
func (v Version) Diff(w Version) []string {
	var out []string
	change := func(what, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s %s → %s", what, a, b))
		}
	}
	change("currency", v.Currency, w.Currency)
	change("energy blocks", blocksText(v.Blocks), blocksText(w.Blocks))
	change("fixed monthly charge", v.FixedMonthly.String(), w.FixedMonthly.String())
	for _, c := range w.Charges {
		old, ok := v.charge(c.Code)
		if !ok {
			out = append(out, fmt.Sprintf("%s added: %s", c.Code, chargeText(c)))
			continue
		}
		change(c.Code, chargeText(old), chargeText(c))
	}
	for _, c := range v.Charges {
		if _, ok := w.charge(c.Code); !ok {
			out = append(out, fmt.Sprintf("%s removed (was %s)", c.Code, chargeText(c)))
		}
	}
	if codes(v.Charges) != codes(w.Charges) && slices.Equal(sortedCodes(v.Charges), sortedCodes(w.Charges)) {
		out = append(out, fmt.Sprintf("receipt order of the charges %s → %s", codes(v.Charges), codes(w.Charges)))
	}
	change("VAT", v.VAT.String()+vatScope(v), w.VAT.String()+vatScope(w))
	change("debt recovery", v.DebtRecovery.String(), w.DebtRecovery.String())
	change("minimum purchase", v.MinPurchase.String(), w.MinPurchase.String())
	change("maximum purchase", v.MaxPurchase.String(), w.MaxPurchase.String())
	return out
}

func (v Version) charge(code string) (Charge, bool) {
	for _, c := range v.Charges {
		if c.Code == code {
			return c, true
		}
	}
	return Charge{}, false
}

// blocksText describes the energy blocks: "0-30 kWh at 12.2200, 30-100 kWh
// at 16.5400, above 100 kWh at 19.0800".
func blocksText(blocks []Block) string {
	parts := make([]string, 0, len(blocks))
	var from int64
	for _, b := range blocks {
		if b.UpToWh == 0 {
			parts = append(parts, fmt.Sprintf("above %s kWh at %s", KWhText(from), b.Rate))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s-%s kWh at %s", KWhText(from), KWhText(b.UpToWh), b.Rate))
		from = b.UpToWh
	}
	return strings.Join(parts, ", ")
}

// chargeText describes one charge: "3.5900 per kWh", "5% of energy",
// with ", VAT" when VAT is charged on it.
func chargeText(c Charge) string {
	s := c.Rate.String() + " per kWh"
	if c.Kind == LevyOfEnergy {
		s = c.Share.String() + " of energy"
	}
	if c.VAT {
		s += ", VAT"
	}
	return s
}

func codes(cs []Charge) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return strings.Join(out, ", ")
}

func sortedCodes(cs []Charge) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	slices.Sort(out)
	return out
}

// vatScope names what VAT is charged on besides the charges flagged VAT.
func vatScope(v Version) string {
	var on []string
	if v.VATOnEnergy {
		on = append(on, CodeEnergy)
	}
	if v.VATOnFixed {
		on = append(on, CodeFixed)
	}
	return " on " + strings.Join(append(on, "the charges marked VAT"), ", ")
}
