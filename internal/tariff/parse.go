package tariff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mteja/mteja/internal/money"
)

// Parse reads a tariff file. A file with one version puts the version's
// fields at the top level (as the sample does); a file with several lists
// them under versions:, oldest first, and each later version gives only what
// changed (typically the monthly pass-through figures):
//
//	name: kenya-domestic
//	currency: KES
//	labels:                      # optional wording per line code
//	  energy_regulator_levy: {en: EPRA Charge, sw: Ada ya EPRA}
//	versions:
//	  - effective_from: 2023-04-01        # a date, in force from EAT midnight
//	    energy_blocks:                    # cumulative kWh this calendar month
//	      - {up_to_kwh: 30, rate: 12.2200}
//	      - {rate: 16.5400}               # the last block is open-ended
//	    fixed_monthly_charge: 0.00        # on the first vend of the month
//	    pass_through_per_kwh: {fuel_energy_cost: 3.5900}
//	    levies:                           # CODE_per_kwh or CODE_pct_of_energy
//	      energy_regulator_levy_per_kwh: 0.0800
//	      rural_electrification_levy_pct_of_energy: 0.05
//	    vat_pct: 0.16                     # a fraction, or "16%"
//	    vat_applies_to: [energy, fixed, pass_through]   # the default
//	    debt_recovery_pct: 0.25
//	    min_purchase: 100.00
//	    max_purchase: 35000.00
//	  - effective_from: 2023-05-01
//	    pass_through_per_kwh: {fuel_energy_cost: 3.7100}
//
// vat_applies_to names energy, fixed, pass_through (all pass-throughs),
// levies (all levies) or single charge codes. Rates take up to four decimals,
// fractions up to six, amounts two; more is an error, never a rounding.
//
// Every problem in the file is reported, each with its line, not only the
// first: the error wraps a *FileError listing them.
func Parse(b []byte) (Tariff, error) {
	t, err := parse(b)
	if err != nil {
		return Tariff{}, fmt.Errorf("parse tariff: %w", err)
	}
	return t, nil
}

var (
	tariffKeys  = []string{"name", "currency", "labels", "versions"}
	versionKeys = []string{keyEffective, keyBlocks, keyFixed, keyPassThrough,
		keyLevies, keyVAT, keyVATOn, keyDebt, keyMin, keyMax}
	defaultVATOn = []string{CodeEnergy, CodeFixed, vatAllPassThrough}
)

// yamlLine finds the line in yaml.v3's syntax errors ("yaml: line 3: ...").
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

func parse(b []byte) (Tariff, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return Tariff{}, fileError([]Problem{{Msg: "the file is empty"}})
		}
		p := Problem{Msg: err.Error()}
		if m := yamlLine.FindStringSubmatch(p.Msg); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Msg = "yaml: " + strings.TrimPrefix(p.Msg, m[0])
		}
		return Tariff{}, fileError([]Problem{p})
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return Tariff{}, fileError([]Problem{{Line: more.Line, Msg: "the file holds more than one YAML document; put versions under versions:"}})
	}
	if len(doc.Content) == 0 {
		return Tariff{}, fileError([]Problem{{Msg: "the file is empty"}})
	}
	r := &reader{}
	t := r.tariff(resolve(doc.Content[0]))
	if err := fileError(r.problems); err != nil {
		return Tariff{}, err
	}
	// The walk checked everything Validate does; this is the backstop that
	// keeps a tariff Parse accepts one that prices without surprises.
	if err := t.Validate(); err != nil {
		return Tariff{}, err
	}
	return t, nil
}

// tariff reads the whole file, recording every problem in r.
func (r *reader) tariff(root *yaml.Node) Tariff {
	top, ok := r.fields(root, "tariff", append(tariffKeys, versionKeys...)...)
	if !ok {
		return Tariff{}
	}
	var t Tariff
	for _, f := range []struct {
		key string
		dst *string
	}{{"name", &t.Name}, {"currency", &t.Currency}} {
		n, given := top[f.key]
		if !given {
			r.missing(root, f.key, "")
			continue
		}
		*f.dst, _ = value(r, n, f.key, nonEmpty)
	}
	if n, given := top["currency"]; given && t.Currency != "" {
		if err := checkCurrency(t.Currency); err != nil {
			r.at(n, "currency", "%v", err)
		}
	}
	var labels map[string]Label
	if n, given := top["labels"]; given {
		labels = r.labels(n)
	}
	var docs []versionDoc
	if n, given := top["versions"]; given {
		for _, k := range versionKeys {
			if _, also := top[k]; also {
				r.at(top[k], k, "the file has versions:, so %s belongs inside a version", k)
			}
		}
		items, _ := r.list(n, "versions")
		if items != nil && len(items) == 0 {
			r.at(n, "versions", "the list is empty")
		}
		for i, item := range items {
			where := fmt.Sprintf("versions[%d]", i)
			if f, ok := r.fields(item, where, versionKeys...); ok {
				docs = append(docs, r.readVersion(f, item, where))
			}
		}
	} else {
		docs = append(docs, r.readVersion(top, root, ""))
	}
	var prev versionDoc
	var prevDate time.Time
	for _, d := range docs {
		if d.effectiveFrom != nil {
			if !prevDate.IsZero() && !d.effectiveFrom.After(prevDate) {
				r.at(d.given[keyEffective], d.prefix()+keyEffective, "version from %s does not come after the version from %s: list versions oldest first, one per date",
					d.effectiveFrom.Format(dateLayout), prevDate.Format(dateLayout))
			}
			prevDate = *d.effectiveFrom
		}
		cur := prev.overlay(d)
		if v, ok := r.version(&cur, t.Currency, labels); ok {
			t.Versions = append(t.Versions, v)
		}
		prev = cur
	}
	return t
}

func nonEmpty(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", errors.New("is empty")
	}
	return s, nil
}

func parseDate(s string) (time.Time, error) {
	d, err := time.ParseInLocation(dateLayout, s, Zone)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date like 2023-04-01", s)
	}
	return d, nil
}

func parseMoney(s string) (money.Amount, error) { return money.Parse(s) }

func (r *reader) labels(n *yaml.Node) map[string]Label {
	ps, _ := r.pairs(n, "labels")
	out := make(map[string]Label, len(ps))
	for _, p := range ps {
		where := "labels." + p.key
		f, ok := r.fields(p.val, where, "en", "sw")
		if !ok {
			continue
		}
		en, given := f["en"]
		if !given {
			r.missing(p.val, where+".en", "")
			continue
		}
		var l Label
		if l.EN, ok = value(r, en, where+".en", nonEmpty); !ok {
			continue
		}
		l.SW = l.EN // a missing Swahili wording falls back to English, not to blank
		if sw, given := f["sw"]; given {
			if l.SW, ok = value(r, sw, where+".sw", nonEmpty); !ok {
				continue
			}
		}
		out[p.key] = l
	}
	return out
}
