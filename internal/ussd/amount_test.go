package ussd

import (
	"slices"
	"testing"
)

// Amounts typed at the int64 edges are refused on the amount screen and
// never reach the backend as a wrapped-around sum; a good amount after
// them goes through.
func TestAmountEntryBounds(t *testing.T) {
	t.Parallel()
	tb := setup(t, Options{})
	turns := []turn{dial(), typed("1"), typed("1", "Enter amount")}
	for _, in := range []string{
		"9223372036854775807",  // MaxInt64
		"9223372036854775808",  // 2^63
		"4611686018427388004",  // 2^62 + 4: ×100 wraps to 10000
		"92233720368547759",    // MaxInt64/100 + 1
		"18446744073709551616", // 2^64
		"1000000000000000",     // 16 digits
	} {
		turns = append(turns, turn{in: in, want: []string{"Enter whole shillings", "Enter amount"}, not: []string{"Buy power"}})
	}
	turns = append(turns, typed("500", "Buy power for KES 500"), typed("1", "END You will get an M-Pesa prompt to pay KES 500."))
	runDialogue(t, tb, "ATUid_amount_bounds", phoneMany, turns)
	if buys, _, _, _ := tb.b.calls(); !slices.Equal(buys, []string{phoneMany + " 54500320905 500.00"}) {
		t.Errorf("buys = %q, want the one good amount", buys)
	}
}
