package tariff

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mteja/mteja/internal/money"
)

// versionDoc is one version as the file writes it. A nil field was not
// given, so the version keeps the figure of the one before it: a monthly
// pass-through update is then three lines, not a copy of the whole schedule.
type versionDoc struct {
	node          *yaml.Node
	where         string // "versions[2]", or "" for a single-version file
	effectiveFrom *time.Time
	blocks        *[]Block
	fixed         *money.Amount
	passThrough   *[]Charge
	levies        *[]Charge
	vat           *Fraction
	vatOn         *[]string
	vatOnLine     int
	debt          *Fraction
	min, max      *money.Amount
}

func ptr[T any](v T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// readVersion reads the version keys present in f; prefix is the path to
// the version ("versions[1]." or "").
func readVersion(f map[string]*yaml.Node, node *yaml.Node, prefix string) (versionDoc, error) {
	d := versionDoc{node: node, where: strings.TrimSuffix(prefix, ".")}
	var err error
	for _, k := range versionKeys {
		n, ok := f[k]
		if !ok {
			continue
		}
		where := prefix + k
		switch k {
		case "effective_from":
			d.effectiveFrom, err = ptr(value(n, where, parseDate))
		case "energy_blocks":
			d.blocks, err = ptr(readBlocks(n, where))
		case "fixed_monthly_charge":
			d.fixed, err = ptr(value(n, where, parseMoney))
		case "pass_through_per_kwh":
			d.passThrough, err = ptr(readPassThrough(n, where))
		case "levies":
			d.levies, err = ptr(readLevies(n, where))
		case "vat_pct":
			d.vat, err = ptr(value(n, where, parseFraction))
		case "vat_applies_to":
			d.vatOn, err = ptr(readNames(n, where))
			d.vatOnLine = n.Line
		case "debt_recovery_pct":
			d.debt, err = ptr(value(n, where, parseFraction))
		case "min_purchase":
			d.min, err = ptr(value(n, where, parseMoney))
		case "max_purchase":
			d.max, err = ptr(value(n, where, parseMoney))
		}
		if err != nil {
			return versionDoc{}, err
		}
	}
	return d, nil
}

func readBlocks(n *yaml.Node, where string) ([]Block, error) {
	items, err := list(n, where)
	if err != nil {
		return nil, err
	}
	blocks := make([]Block, 0, len(items))
	for i, item := range items {
		w := fmt.Sprintf("%s[%d]", where, i)
		f, err := fields(item, w, "up_to_kwh", "rate")
		if err != nil {
			return nil, err
		}
		var b Block
		if b.Rate, err = value(f["rate"], w+".rate", parseRate); err != nil {
			return nil, err
		}
		if up, ok := f["up_to_kwh"]; ok {
			if b.UpToWh, err = value(up, w+".up_to_kwh", parseKWh); err != nil {
				return nil, err
			}
			if b.UpToWh == 0 {
				return nil, errAt(up, w+".up_to_kwh", "a block cannot end at 0 kWh")
			}
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

func readPassThrough(n *yaml.Node, where string) ([]Charge, error) {
	ps, err := pairs(n, where)
	if err != nil {
		return nil, err
	}
	out := make([]Charge, 0, len(ps))
	for _, p := range ps {
		r, err := value(p.val, where+"."+p.key, parseRate)
		if err != nil {
			return nil, err
		}
		out = append(out, Charge{Code: p.key, Kind: PassThrough, Rate: r})
	}
	return out, nil
}

// Levy keys say how the levy is charged, as the published schedule words it.
const (
	suffixPerKWh   = "_per_kwh"
	suffixOfEnergy = "_pct_of_energy"
)

func readLevies(n *yaml.Node, where string) ([]Charge, error) {
	ps, err := pairs(n, where)
	if err != nil {
		return nil, err
	}
	out := make([]Charge, 0, len(ps))
	for _, p := range ps {
		w := where + "." + p.key
		if code, ok := strings.CutSuffix(p.key, suffixPerKWh); ok {
			r, err := value(p.val, w, parseRate)
			if err != nil {
				return nil, err
			}
			out = append(out, Charge{Code: code, Kind: LevyPerKWh, Rate: r})
			continue
		}
		if code, ok := strings.CutSuffix(p.key, suffixOfEnergy); ok {
			s, err := value(p.val, w, parseFraction)
			if err != nil {
				return nil, err
			}
			out = append(out, Charge{Code: code, Kind: LevyOfEnergy, Share: s})
			continue
		}
		return nil, fmt.Errorf("line %d: %s: levy %q must end in %s or %s, to say how it is charged",
			p.line, where, p.key, suffixPerKWh, suffixOfEnergy)
	}
	return out, nil
}

func readNames(n *yaml.Node, where string) ([]string, error) {
	items, err := list(n, where)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		s, err := value(item, fmt.Sprintf("%s[%d]", where, i), nonEmpty)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// overlay returns d with the fields it leaves out taken from prev. The
// effective date is never inherited: each version must say when it starts.
func (prev versionDoc) overlay(d versionDoc) versionDoc {
	out := d
	if out.blocks == nil {
		out.blocks = prev.blocks
	}
	if out.fixed == nil {
		out.fixed = prev.fixed
	}
	if out.passThrough == nil {
		out.passThrough = prev.passThrough
	}
	if out.levies == nil {
		out.levies = prev.levies
	}
	if out.vat == nil {
		out.vat = prev.vat
	}
	if out.vatOn == nil {
		out.vatOn, out.vatOnLine = prev.vatOn, prev.vatOnLine
	}
	if out.debt == nil {
		out.debt = prev.debt
	}
	if out.min == nil {
		out.min = prev.min
	}
	if out.max == nil {
		out.max = prev.max
	}
	return out
}

// version builds and validates the Version a (merged) versionDoc describes.
func (d versionDoc) version(currency string, labels map[string]Label) (Version, error) {
	prefix := ""
	if d.where != "" {
		prefix = d.where + "."
	}
	missing := func(key, hint string) error {
		return fmt.Errorf("line %d: %s%s is missing%s", d.node.Line, prefix, key, hint)
	}
	switch {
	case d.effectiveFrom == nil:
		return Version{}, missing("effective_from", " (the date it is in force from, like 2023-04-01)")
	case d.blocks == nil:
		return Version{}, missing("energy_blocks", "")
	case d.vat == nil:
		return Version{}, missing("vat_pct", " (write 0 if no VAT applies)")
	case d.min == nil:
		return Version{}, missing("min_purchase", "")
	case d.max == nil:
		return Version{}, missing("max_purchase", "")
	}
	v := Version{
		EffectiveFrom: *d.effectiveFrom,
		Currency:      currency,
		Blocks:        slices.Clone(*d.blocks),
		VAT:           *d.vat,
		MinPurchase:   *d.min,
		MaxPurchase:   *d.max,
		Labels:        labels,
	}
	if d.fixed != nil {
		v.FixedMonthly = *d.fixed
	}
	if d.debt != nil {
		v.DebtRecovery = *d.debt
	}
	if d.passThrough != nil {
		v.Charges = append(v.Charges, *d.passThrough...)
	}
	if d.levies != nil {
		v.Charges = append(v.Charges, *d.levies...)
	}
	vatOn, line := defaultVATOn, d.node.Line
	if d.vatOn != nil {
		vatOn, line = *d.vatOn, d.vatOnLine
	}
	if err := v.applyVAT(vatOn); err != nil {
		return Version{}, fmt.Errorf("line %d: %svat_applies_to: %w", line, prefix, err)
	}
	if err := v.Validate(); err != nil {
		if d.where == "" {
			return Version{}, err
		}
		return Version{}, fmt.Errorf("line %d: %s: %w", d.node.Line, d.where, err)
	}
	return v, nil
}

// applyVAT sets the VAT flags from the names in vat_applies_to.
func (v *Version) applyVAT(names []string) error {
	for _, name := range names {
		known := false
		switch name {
		case CodeEnergy:
			v.VATOnEnergy, known = true, true
		case CodeFixed:
			v.VATOnFixed, known = true, true
		}
		for i := range v.Charges {
			c := &v.Charges[i]
			if name == c.Code || name == vatAllPassThrough && c.Kind == PassThrough ||
				name == vatAllLevies && c.Kind != PassThrough {
				c.VAT, known = true, true
			}
		}
		if name == vatAllPassThrough || name == vatAllLevies {
			known = true // a group with no members today is still a valid name
		}
		if !known {
			return fmt.Errorf("%q is not energy, fixed, pass_through, levies or a charge of this version", name)
		}
	}
	return nil
}
