package tariff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
func Parse(b []byte) (Tariff, error) {
	t, err := parse(b)
	if err != nil {
		return Tariff{}, fmt.Errorf("parse tariff: %w", err)
	}
	return t, nil
}

var (
	tariffKeys  = []string{"name", "currency", "labels", "versions"}
	versionKeys = []string{"effective_from", "energy_blocks", "fixed_monthly_charge", "pass_through_per_kwh",
		"levies", "vat_pct", "vat_applies_to", "debt_recovery_pct", "min_purchase", "max_purchase"}
	defaultVATOn = []string{CodeEnergy, CodeFixed, vatAllPassThrough}
)

func parse(b []byte) (Tariff, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return Tariff{}, errors.New("the file is empty")
		}
		return Tariff{}, err
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return Tariff{}, errors.New("the file holds more than one YAML document; put versions under versions:")
	}
	if len(doc.Content) == 0 {
		return Tariff{}, errors.New("the file is empty")
	}
	top, err := fields(doc.Content[0], "tariff", append(tariffKeys, versionKeys...)...)
	if err != nil {
		return Tariff{}, err
	}
	var t Tariff
	if t.Name, err = value(top["name"], "name", nonEmpty); err != nil {
		return Tariff{}, err
	}
	if t.Currency, err = value(top["currency"], "currency", nonEmpty); err != nil {
		return Tariff{}, err
	}
	var labels map[string]Label
	if n, ok := top["labels"]; ok {
		if labels, err = parseLabels(n); err != nil {
			return Tariff{}, err
		}
	}
	var docs []versionDoc
	if n, ok := top["versions"]; ok {
		for _, k := range versionKeys {
			if _, also := top[k]; also {
				return Tariff{}, errAt(top[k], k, "the file has versions:, so %s belongs inside a version", k)
			}
		}
		items, err := list(n, "versions")
		if err != nil {
			return Tariff{}, err
		}
		if len(items) == 0 {
			return Tariff{}, errAt(n, "versions", "the list is empty")
		}
		for i, item := range items {
			where := fmt.Sprintf("versions[%d]", i)
			f, err := fields(item, where, versionKeys...)
			if err != nil {
				return Tariff{}, err
			}
			d, err := readVersion(f, item, where+".")
			if err != nil {
				return Tariff{}, err
			}
			docs = append(docs, d)
		}
	} else {
		d, err := readVersion(top, doc.Content[0], "")
		if err != nil {
			return Tariff{}, err
		}
		docs = append(docs, d)
	}
	var prev versionDoc
	for _, d := range docs {
		cur := prev.overlay(d)
		v, err := cur.version(t.Currency, labels)
		if err != nil {
			return Tariff{}, err
		}
		t.Versions = append(t.Versions, v)
		prev = cur
	}
	if err := t.Validate(); err != nil {
		return Tariff{}, err
	}
	return t, nil
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

func parseLabels(n *yaml.Node) (map[string]Label, error) {
	ps, err := pairs(n, "labels")
	if err != nil {
		return nil, err
	}
	out := make(map[string]Label, len(ps))
	for _, p := range ps {
		where := "labels." + p.key
		f, err := fields(p.val, where, "en", "sw")
		if err != nil {
			return nil, err
		}
		var l Label
		if l.EN, err = value(f["en"], where+".en", nonEmpty); err != nil {
			return nil, err
		}
		l.SW = l.EN // a missing Swahili wording falls back to English, not to blank
		if sw, ok := f["sw"]; ok {
			if l.SW, err = value(sw, where+".sw", nonEmpty); err != nil {
				return nil, err
			}
		}
		out[p.key] = l
	}
	return out, nil
}
