package tariff

import (
	"errors"
	"testing"

	"github.com/mteja/mteja/internal/money"
)

// The preview prices each sample under both versions. KES 500 at the start
// of the month, checked by hand: in the 30 kWh lifeline block a kWh costs
// 12.22 energy + 3.59 fuel + 1.21 forex + 0.46 inflation + 0.08 EPRA +
// 0.611 REP (5% of 12.22) + 0.0125 WARMA + 16% VAT on 17.48 (energy and
// pass-throughs) = 2.7968, 20.9803 in all; 500 buys 500/20.9803 = 23.8319
// kWh (23,832 Wh rounded up), and each line is its share of 500: fuel
// 500 x 3.59/20.9803 = 85.56, forex 28.84, inflation 10.96, EPRA 1.91,
// REP 14.56, WARMA 0.30, VAT 66.65, and the energy line the rest, 291.22.
// Under the July 2024 figures (fuel 2.78, forex 0.99) a kWh costs 19.7855:
// 25.2710 kWh (25,272 Wh), fuel 70.25, forex 25.02, inflation 11.62, EPRA 2.02, REP
// 15.44, WARMA 0.32, VAT 66.51, energy 308.82.
func TestPreview(t *testing.T) {
	t.Parallel()
	tf := mustParseFile(t, "kenya-domestic-versions.yaml")
	before, after := tf.Versions[0], tf.Versions[1]
	rows := Preview(&before, after, PreviewAmounts, PreviewMonthWh)
	if len(rows) != len(PreviewAmounts)*len(PreviewMonthWh) {
		t.Fatalf("%d rows; want one per amount and month position", len(rows))
	}
	var row PreviewRow
	for _, r := range rows {
		if r.Paid == 50_000 && r.MonthWh == 0 {
			row = r
		}
	}
	if row.Before.Quote == nil || row.After.Quote == nil {
		t.Fatalf("KES 500 at 0 kWh: %+v", row)
	}
	if b, a := row.Before.Quote, row.After.Quote; b.Energy != 23_832 || b.Units != "23.83" || a.Energy != 25_272 || a.Units != "25.27" {
		t.Errorf("energy before %d Wh (%s), after %d Wh (%s); want 23832 (23.83) and 25272 (25.27)", b.Energy, b.Units, a.Energy, a.Units)
	}
	want := map[string][2]money.Amount{
		CodeEnergy: {29_122, 30_882}, CodeVAT: {6_665, 6_651},
		CodeFuel: {8_556, 7_025}, CodeForex: {2_884, 2_502}, CodeInflation: {1_096, 1_162},
		CodeRegulator: {191, 202}, CodeRural: {1_456, 1_544}, CodeWater: {30, 32},
	}
	lines := row.Lines()
	if len(lines) != len(want) {
		t.Errorf("%d lines; want %d: %+v", len(lines), len(want), lines)
	}
	for _, l := range lines {
		if w := want[l.Code]; l.Before != w[0] || l.After != w[1] {
			t.Errorf("%s: %s → %s; want %s → %s", l.Code, l.Before, l.After, w[0], w[1])
		}
	}

	// A payment below the new minimum is shown as such, not dropped.
	rows = Preview(&after, before, []money.Amount{7_500}, []int64{50_000})
	if len(rows) != 1 || rows[0].Before.Quote == nil || !errors.Is(rows[0].After.Err, ErrBelowMinimum) {
		t.Errorf("KES 75 under a KES 100 minimum: %+v", rows)
	}
	// A new tariff has nothing before.
	rows = Preview(nil, after, []money.Amount{50_000}, []int64{0})
	if rows[0].Before.Quote != nil || rows[0].Before.Err != nil || rows[0].After.Quote == nil || len(rows[0].Lines()) != len(want) {
		t.Errorf("preview of a new tariff: %+v", rows)
	}
}
