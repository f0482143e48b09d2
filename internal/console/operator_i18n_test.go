package console

import (
	"testing"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/tariff"
)

// The phrases the operator's pages build from a value (a fault's kind, a
// version's state, what an import does to it, a key parameter, what was
// just done) exist, which TestEveryKeyExists cannot see in the templates.
func TestOperatorKeysExist(t *testing.T) {
	var keys []string
	for _, k := range []string{care.FaultNoPower, care.FaultTokenRejected, care.FaultMeter, care.FaultOther} {
		keys = append(keys, "fault.kind."+k)
	}
	for _, s := range []string{tariff.StatePast, tariff.StateInForce, tariff.StateFuture} {
		keys = append(keys, "state."+s)
	}
	for _, w := range []string{tariff.VersionNew, tariff.VersionUnchanged, tariff.VersionChanged} {
		keys = append(keys, "change."+w)
	}
	for _, f := range keyFields("x", true, func(string) string { return "" }) {
		keys = append(keys, f.Label)
	}
	for _, m := range []map[string]string{manageDone, customerDone} {
		for _, k := range m {
			keys = append(keys, k)
		}
	}
	keys = append(keys, "tariff.below", "tariff.above.max", "tariff.noprice")
	for _, k := range keys {
		if english[k] == "" {
			t.Errorf("key %q has no text", k)
		}
	}
}
