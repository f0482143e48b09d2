package tariff

import (
	"fmt"
	"maps"
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
	node  *yaml.Node
	where string // "versions[2]", or "" for a single-version file

	// given maps the keys this version writes to their values: a problem
	// is pointed at the line of a figure the version itself gives.
	given map[string]*yaml.Node
	// bad marks keys whose value could not be read, here or in the version
	// they are inherited from: checks that need them are left out rather
	// than reported twice, or as missing.
	bad map[string]bool

	effectiveFrom *time.Time
	blocks        *[]Block
	blockNodes    []*yaml.Node // each block's node, when given here
	badBlocks     map[int]bool
	fixed         *money.Amount
	passThrough   *[]Charge
	levies        *[]Charge
	chargeNodes   map[string]chargeNode // by code, for charges given here
	badCodes      map[string]bool       // charges whose figure could not be read
	vat           *Fraction
	vatOn         *[]string
	vatOnNodes    []*yaml.Node
	// vatUnknown are the names of vat_applies_to already reported as
	// unknown, so that a version inheriting the list does not repeat them.
	vatUnknown map[string]bool
	debt       *Fraction
	min, max   *money.Amount
}

// chargeNode is where a charge is written: its value and the path to it.
type chargeNode struct {
	node  *yaml.Node
	where string
}

func (d versionDoc) prefix() string {
	if d.where == "" {
		return ""
	}
	return d.where + "."
}

// readVersion reads the version keys present in f, recording problems in r.
func (r *reader) readVersion(f map[string]*yaml.Node, node *yaml.Node, where string) versionDoc {
	d := versionDoc{node: node, where: where, given: f, bad: map[string]bool{},
		badBlocks: map[int]bool{}, chargeNodes: map[string]chargeNode{}, badCodes: map[string]bool{}}
	prefix := d.prefix()
	for k, n := range f {
		path := prefix + k
		read := true
		switch k {
		case keyEffective:
			d.effectiveFrom, read = ptr(value(r, n, path, parseDate))
		case keyBlocks:
			d.blocks, read = r.readBlocks(&d, n, path)
		case keyFixed:
			d.fixed, read = ptr(value(r, n, path, parseMoney))
		case keyPassThrough:
			d.passThrough, read = r.readPassThrough(&d, n, path)
		case keyLevies:
			d.levies, read = r.readLevies(&d, n, path)
		case keyVAT:
			d.vat, read = ptr(value(r, n, path, parseFraction))
		case keyVATOn:
			d.vatOn, read = r.readNames(&d, n, path)
		case keyDebt:
			d.debt, read = ptr(value(r, n, path, parseFraction))
		case keyMin:
			d.min, read = ptr(value(r, n, path, parseMoney))
		case keyMax:
			d.max, read = ptr(value(r, n, path, parseMoney))
		}
		// A list that read with a bad item is still there: its other items
		// are checked, and the bad one is marked (badBlocks, badCodes).
		if !read {
			d.bad[k] = true
		}
	}
	return d
}

// ptr returns a pointer to v when it was read, nil when not.
func ptr[T any](v T, ok bool) (*T, bool) {
	if !ok {
		return nil, false
	}
	return &v, true
}

// readBlocks reads energy_blocks. A block that does not read is kept with
// zero figures and marked bad, so that the others keep their numbers and
// are still checked against their neighbours.
func (r *reader) readBlocks(d *versionDoc, n *yaml.Node, where string) (*[]Block, bool) {
	items, ok := r.list(n, where)
	if !ok {
		return nil, false
	}
	blocks := make([]Block, 0, len(items))
	for i, item := range items {
		w := fmt.Sprintf("%s[%d]", where, i)
		d.blockNodes = append(d.blockNodes, item)
		before := len(r.problems)
		var b Block
		if f, ok := r.fields(item, w, "up_to_kwh", "rate"); ok {
			if rate, given := f["rate"]; given {
				b.Rate, _ = value(r, rate, w+".rate", parseRate)
			} else {
				r.missing(item, w+".rate", "")
			}
			if up, given := f["up_to_kwh"]; given {
				if wh, ok := value(r, up, w+".up_to_kwh", parseKWh); ok && wh == 0 {
					r.at(up, w+".up_to_kwh", "a block cannot end at 0 kWh")
				} else {
					b.UpToWh = wh
				}
			}
		}
		if len(r.problems) > before {
			d.badBlocks[i] = true
		}
		blocks = append(blocks, b)
	}
	return &blocks, true
}

func (r *reader) readPassThrough(d *versionDoc, n *yaml.Node, where string) (*[]Charge, bool) {
	ps, ok := r.pairs(n, where)
	if !ok {
		return nil, false
	}
	out := make([]Charge, 0, len(ps))
	for _, p := range ps {
		w := where + "." + p.key
		d.chargeNodes[p.key] = chargeNode{p.val, w}
		rate, ok := value(r, p.val, w, parseRate)
		if !ok {
			d.badCodes[p.key] = true
		}
		out = append(out, Charge{Code: p.key, Kind: PassThrough, Rate: rate})
	}
	return &out, true
}

// Levy keys say how the levy is charged, as the published schedule words it.
const (
	suffixPerKWh   = "_per_kwh"
	suffixOfEnergy = "_pct_of_energy"
)

func (r *reader) readLevies(d *versionDoc, n *yaml.Node, where string) (*[]Charge, bool) {
	ps, ok := r.pairs(n, where)
	if !ok {
		return nil, false
	}
	out := make([]Charge, 0, len(ps))
	for _, p := range ps {
		w := where + "." + p.key
		if code, ok := strings.CutSuffix(p.key, suffixPerKWh); ok {
			d.chargeNodes[code] = chargeNode{p.val, w}
			rate, ok := value(r, p.val, w, parseRate)
			if !ok {
				d.badCodes[code] = true
			}
			out = append(out, Charge{Code: code, Kind: LevyPerKWh, Rate: rate})
			continue
		}
		if code, ok := strings.CutSuffix(p.key, suffixOfEnergy); ok {
			d.chargeNodes[code] = chargeNode{p.val, w}
			share, ok := value(r, p.val, w, parseFraction)
			if !ok {
				d.badCodes[code] = true
			}
			out = append(out, Charge{Code: code, Kind: LevyOfEnergy, Share: share})
			continue
		}
		d.badCodes[p.key] = true
		r.problems = append(r.problems, Problem{Line: p.line, Path: where,
			Msg: fmt.Sprintf("levy %q must end in %s or %s, to say how it is charged", p.key, suffixPerKWh, suffixOfEnergy)})
	}
	return &out, true
}

func (r *reader) readNames(d *versionDoc, n *yaml.Node, where string) (*[]string, bool) {
	items, ok := r.list(n, where)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		if s, ok := value(r, item, fmt.Sprintf("%s[%d]", where, i), nonEmpty); ok {
			out = append(out, s)
			d.vatOnNodes = append(d.vatOnNodes, item)
		}
	}
	return &out, true
}

// overlay returns d with the fields it leaves out taken from prev. The
// effective date is never inherited: each version must say when it starts.
// A key that d gives but could not read is not inherited either.
func (prev versionDoc) overlay(d versionDoc) versionDoc {
	out := d
	out.bad = maps.Clone(d.bad)
	inherits := func(key string) bool {
		if _, given := d.given[key]; given {
			return false
		}
		if prev.bad[key] {
			out.bad[key] = true
		}
		return true
	}
	if inherits(keyBlocks) {
		out.blocks = prev.blocks
	}
	if inherits(keyFixed) {
		out.fixed = prev.fixed
	}
	if inherits(keyPassThrough) {
		out.passThrough = prev.passThrough
	}
	if inherits(keyLevies) {
		out.levies = prev.levies
	}
	if inherits(keyVAT) {
		out.vat = prev.vat
	}
	if inherits(keyVATOn) {
		out.vatOn, out.vatUnknown = prev.vatOn, prev.vatUnknown
	}
	if inherits(keyDebt) {
		out.debt = prev.debt
	}
	if inherits(keyMin) {
		out.min = prev.min
	}
	if inherits(keyMax) {
		out.max = prev.max
	}
	return out
}

// or returns *p, or the zero value when p is nil.
func or[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// version builds the Version a merged versionDoc describes and records its
// problems in r; ok is false when it has any. It notes in d the names of
// vat_applies_to it found unknown.
func (r *reader) version(d *versionDoc, currency string, labels map[string]Label) (Version, bool) {
	before := len(r.problems)
	skip := maps.Clone(d.bad)
	for _, req := range []struct {
		key, hint string
		have      bool
	}{
		{keyEffective, " (the date it is in force from, like 2023-04-01)", d.effectiveFrom != nil},
		{keyBlocks, "", d.blocks != nil},
		{keyVAT, " (write 0 if no VAT applies)", d.vat != nil},
		{keyMin, "", d.min != nil},
		{keyMax, "", d.max != nil},
	} {
		if !req.have && !d.bad[req.key] {
			r.missing(d.node, d.prefix()+req.key, req.hint)
		}
		if !req.have {
			skip[req.key] = true
		}
	}
	v := Version{EffectiveFrom: or(d.effectiveFrom), Currency: currency, FixedMonthly: or(d.fixed), VAT: or(d.vat),
		DebtRecovery: or(d.debt), MinPurchase: or(d.min), MaxPurchase: or(d.max), Labels: labels}
	if d.blocks != nil {
		v.Blocks = slices.Clone(*d.blocks)
	}
	if d.passThrough != nil {
		v.Charges = append(v.Charges, *d.passThrough...)
	}
	if d.levies != nil {
		v.Charges = append(v.Charges, *d.levies...)
	}
	vatOn := defaultVATOn
	if d.vatOn != nil {
		vatOn = *d.vatOn
	}
	reported := d.vatUnknown
	d.vatUnknown = map[string]bool{}
	for _, i := range v.applyVAT(vatOn) {
		d.vatUnknown[vatOn[i]] = true
		if d.badCodes[vatOn[i]] || reported[vatOn[i]] {
			continue // the charge is there with a bad figure, or this was said already
		}
		is := issue{keys: []string{keyVATOn, keyPassThrough, keyLevies}, block: -1,
			err: fmt.Errorf("%q is not energy, fixed, pass_through, levies or a charge of this version", vatOn[i])}
		if _, given := d.given[keyVATOn]; given && i < len(d.vatOnNodes) {
			r.at(d.vatOnNodes[i], d.prefix()+keyVATOn, "%v", is.err)
			continue
		}
		r.point(*d, skip, is)
	}
	for _, is := range v.issues() {
		r.point(*d, skip, is)
	}
	return v, len(r.problems) == before
}

// point records an issue at the line of the figure it concerns. An issue
// is left out when a figure it needs did not read (that problem is already
// reported), and when every figure it concerns is inherited: the version
// they come from reported it.
func (r *reader) point(d versionDoc, skip map[string]bool, is issue) {
	if len(is.keys) == 0 {
		return // the tariff's own (its currency), reported with the tariff
	}
	for _, k := range is.keys {
		if skip[k] {
			return
		}
	}
	if is.block >= 0 && (d.badBlocks[is.block] || d.badBlocks[is.block-1]) || d.badCodes[is.code] {
		return
	}
	for _, k := range is.keys {
		n, given := d.given[k]
		if !given {
			continue
		}
		where := d.prefix() + k
		switch c, ok := d.chargeNodes[is.code]; {
		case k == keyBlocks && is.block >= 0 && is.block < len(d.blockNodes):
			n, where = d.blockNodes[is.block], fmt.Sprintf("%s[%d]", where, is.block)
		case ok && (k == keyPassThrough || k == keyLevies):
			n, where = c.node, c.where
		}
		r.at(n, where, "%v", is.err)
		return
	}
}

// applyVAT sets the VAT flags from the names in vat_applies_to and returns
// the indexes of the names that are none of its choices.
func (v *Version) applyVAT(names []string) (unknown []int) {
	for i, name := range names {
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
			unknown = append(unknown, i)
		}
	}
	return unknown
}
