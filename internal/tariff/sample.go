package tariff

import (
	_ "embed"
	"maps"
	"slices"
	"sync"
)

// sampleYAML is the demo utility's default tariff: the structure of Kenya's
// domestic prepaid schedule with illustrative figures.
//
//go:embed sample/kenya-domestic.yaml
var sampleYAML []byte

var sample = sync.OnceValues(func() (Tariff, error) { return Parse(sampleYAML) })

// Sample returns the embedded demo tariff. It panics only if the embedded file
// does not parse, which the package's tests rule out.
func Sample() Tariff {
	t, err := sample()
	if err != nil {
		panic("tariff: embedded sample: " + err.Error())
	}
	// Each caller gets its own copy, so one that edits a rate cannot
	// reprice everyone else's sample.
	t.Versions = slices.Clone(t.Versions)
	for i := range t.Versions {
		v := &t.Versions[i]
		v.Blocks, v.Charges, v.Labels = slices.Clone(v.Blocks), slices.Clone(v.Charges), maps.Clone(v.Labels)
	}
	return t
}

// SampleYAML returns the embedded demo tariff file, for `mteja demo` to write
// out as a starting point an operator edits.
func SampleYAML() []byte { return slices.Clone(sampleYAML) }
