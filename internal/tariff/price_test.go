package tariff

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// The sample tariff's all-in price per kWh, by block (VAT 16% on energy and
// pass-throughs; levies not VAT-able):
//
//	pass-throughs      3.59 + 1.21 + 0.46           = 5.26
//	per-kWh levies     0.08 (EPRA) + 0.0125 (WARMA) = 0.0925
//	block 1 (0-30)     12.22 + 5.26 + 0.0925 + 5%×12.22 (0.611) + 16%×(12.22+5.26) (2.7968) = 20.9803
//	block 2 (30-100)   16.54 + 5.26 + 0.0925 + 0.827 + 16%×21.80 (3.488)                    = 26.2075
//	block 3 (100-)     19.08 + 5.26 + 0.0925 + 0.954 + 16%×24.34 (3.8944)                   = 29.2809
//
// Each line below is its per-kWh figure times the kWh bought, rounded half up
// to the cent; the energy line ("Token Amt") is what remains of the money.

func mustParseFile(t testing.TB, name string) Tariff {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := Parse(b)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return tf
}

func amt(t testing.TB, s string) money.Amount {
	t.Helper()
	a, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPriceReceipts(t *testing.T) {
	t.Parallel()
	sample := Sample().Versions[0]
	fixed := mustParseFile(t, "fixed-charge.yaml").Versions[0]
	kwh := func(n int64) int64 { return n * 1000 }

	tests := []struct {
		name   string
		v      Version
		in     Input
		wh     int64
		units  string
		tenths int64
		lines  map[string]string // code -> amount; every line of the quote
		blocks []BlockUse
	}{
		{
			// KES 100 / 20.9803 = 4.766376 kWh, all in block 1.
			//   fuel      3.59   × 4.766376 = 17.1113 -> 17.11
			//   forex     1.21   × 4.766376 =  5.7673 ->  5.77
			//   inflation 0.46   × 4.766376 =  2.1925 ->  2.19
			//   EPRA      0.08   × 4.766376 =  0.3813 ->  0.38
			//   REP       0.611  × 4.766376 =  2.9123 ->  2.91
			//   WARMA     0.0125 × 4.766376 =  0.0596 ->  0.06
			//   VAT       2.7968 × 4.766376 = 13.3306 -> 13.33
			//   Token Amt 100 - 41.75 = 58.25 (exact 12.22 × 4.766376 = 58.2451)
			// Energy 4766.38 Wh -> 4767 Wh, "4.77", token 48 tenths (4.8 kWh).
			name: "KES 100 first purchase of the month",
			v:    sample, in: Input{Paid: amt(t, "100"), FirstVendOfMonth: true},
			wh: 4767, units: "4.77", tenths: 48,
			lines: map[string]string{"energy": "58.25", "vat": "13.33", "fuel_energy_cost": "17.11",
				"forex_adjustment": "5.77", "inflation_adjustment": "2.19", "energy_regulator_levy": "0.38",
				"rural_electrification_levy": "2.91", "water_resources_levy": "0.06"},
			blocks: []BlockUse{{Rate: 122200, Wh: 4767, Amount: amt(t, "58.25")}},
		},
		{
			// The meter has 20 kWh this month. The last 10 kWh of block 1 cost
			// 10 × 20.9803 = 209.803; the remaining 290.197 buys
			// 290.197 / 26.2075 = 11.073052 kWh in block 2. Total 21.073052 kWh.
			//   fuel      3.59 × 21.073052                    = 75.6523 -> 75.65
			//   forex     1.21 × 21.073052                    = 25.4984 -> 25.50
			//   inflation 0.46 × 21.073052                    =  9.6936 ->  9.69
			//   EPRA      0.08 × 21.073052                    =  1.6858 ->  1.69
			//   WARMA     0.0125 × 21.073052                  =  0.2634 ->  0.26
			//   REP       0.611 × 10 + 0.827 × 11.073052      = 15.2674 -> 15.27
			//   VAT       2.7968 × 10 + 3.488 × 11.073052     = 66.5908 -> 66.59
			//   Token Amt 500 - 194.65 = 305.35 (exact 122.20 + 183.1483 = 305.3483)
			// Blocks share 305.35 as 122.20 and 183.15 (exact 122.2000 : 183.1483).
			name: "KES 500 crossing from block 1 into block 2",
			v:    sample, in: Input{Paid: amt(t, "500"), MonthEnergy: kwh(20)},
			wh: 21074, units: "21.07", tenths: 211,
			lines: map[string]string{"energy": "305.35", "vat": "66.59", "fuel_energy_cost": "75.65",
				"forex_adjustment": "25.50", "inflation_adjustment": "9.69", "energy_regulator_levy": "1.69",
				"rural_electrification_levy": "15.27", "water_resources_levy": "0.26"},
			blocks: []BlockUse{{Rate: 122200, Wh: 10000, Amount: amt(t, "122.20")}, {Rate: 165400, Wh: 11074, Amount: amt(t, "183.15")}},
		},
		{
			// Block 1 whole: 30 × 20.9803 = 629.409; block 2 whole: 70 × 26.2075
			// = 1,834.525; the remaining 536.066 buys 536.066 / 29.2809 =
			// 18.307702 kWh in block 3. Total 118.307702 kWh.
			//   fuel      3.59 × 118.307702                          = 424.7247 -> 424.72
			//   forex     1.21 × 118.307702                          = 143.1523 -> 143.15
			//   inflation 0.46 × 118.307702                          =  54.4215 ->  54.42
			//   EPRA      0.08 × 118.307702                          =   9.4646 ->   9.46
			//   WARMA     0.0125 × 118.307702                        =   1.4788 ->   1.48
			//   REP       0.611×30 + 0.827×70 + 0.954×18.307702      =  93.6855 ->  93.69
			//   VAT       2.7968×30 + 3.488×70 + 3.8944×18.307702    = 399.3615 -> 399.36
			//   Token Amt 3,000 - 1,126.28 = 1,873.72 (exact 1,873.7110)
			// Blocks: 1,873.72 splits in proportion to the exact energy charges
			// 366.60 : 1,157.80 : 349.3110 as 366.6018, 1,157.8056, 349.3127; the
			// floors leave one cent, which goes to the largest remainder (block 2).
			name: "KES 3,000 crossing into block 3",
			v:    sample, in: Input{Paid: amt(t, "3000")},
			wh: 118308, units: "118.31", tenths: 1184,
			lines: map[string]string{"energy": "1873.72", "vat": "399.36", "fuel_energy_cost": "424.72",
				"forex_adjustment": "143.15", "inflation_adjustment": "54.42", "energy_regulator_levy": "9.46",
				"rural_electrification_levy": "93.69", "water_resources_levy": "1.48"},
			blocks: []BlockUse{{Rate: 122200, Wh: 30000, Amount: amt(t, "366.60")}, {Rate: 165400, Wh: 70000, Amount: amt(t, "1157.81")},
				{Rate: 190800, Wh: 18308, Amount: amt(t, "349.31")}},
		},
		{
			// At 95 kWh: 5 kWh of block 2 cost 5 × 26.2075 = 131.0375; the rest,
			// 868.9625 / 29.2809 = 29.676769 kWh in block 3. Total 34.676769 kWh.
			//   fuel      3.59 × 34.676769                   = 124.4896 -> 124.49
			//   forex     1.21 × 34.676769                   =  41.9589 ->  41.96
			//   inflation 0.46 × 34.676769                   =  15.9513 ->  15.95
			//   EPRA      0.08 × 34.676769                   =   2.7741 ->   2.77
			//   WARMA     0.0125 × 34.676769                 =   0.4335 ->   0.43
			//   REP       0.827×5 + 0.954×29.676769          =  32.4466 ->  32.45
			//   VAT       3.488×5 + 3.8944×29.676769         = 133.0132 -> 133.01
			//   Token Amt 1,000 - 351.06 = 648.94 (exact 648.9327)
			name: "meter already at 95 kWh this month",
			v:    sample, in: Input{Paid: amt(t, "1000"), MonthEnergy: kwh(95)},
			wh: 34677, units: "34.68", tenths: 347,
			lines: map[string]string{"energy": "648.94", "vat": "133.01", "fuel_energy_cost": "124.49",
				"forex_adjustment": "41.96", "inflation_adjustment": "15.95", "energy_regulator_levy": "2.77",
				"rural_electrification_levy": "32.45", "water_resources_levy": "0.43"},
			blocks: []BlockUse{{Rate: 165400, Wh: 5000, Amount: amt(t, "82.70")}, {Rate: 190800, Wh: 29677, Amount: amt(t, "566.24")}},
		},
		{
			// Debt 100, 25% of 1,000 is 250: the whole 100 is recovered. 900 buys
			// block 1 (629.409) and 270.591 / 26.2075 = 10.324945 kWh of block 2:
			// 40.324945 kWh.
			//   fuel 3.59 × 40.324945 = 144.7666 -> 144.77; forex 1.21 × = 48.7932 -> 48.79
			//   inflation 0.46 × = 18.5495 -> 18.55; EPRA 0.08 × = 3.2260 -> 3.23
			//   WARMA 0.0125 × = 0.5041 -> 0.50; REP 0.611×30 + 0.827×10.324945 = 26.8687 -> 26.87
			//   VAT 2.7968×30 + 3.488×10.324945 = 119.9174 -> 119.92
			//   Token Amt 900 - 362.63 = 537.37 (exact 537.3746)
			name: "small debt fully recovered at 25%",
			v:    sample, in: Input{Paid: amt(t, "1000"), Debt: amt(t, "100")},
			wh: 40325, units: "40.33", tenths: 404,
			lines: map[string]string{"energy": "537.37", "vat": "119.92", "fuel_energy_cost": "144.77",
				"forex_adjustment": "48.79", "inflation_adjustment": "18.55", "energy_regulator_levy": "3.23",
				"rural_electrification_levy": "26.87", "water_resources_levy": "0.50", "debt": "100.00"},
		},
		{
			// Debt 5,000: 25% of 1,000 = 250 recovered, 4,750 stays owed. 750
			// buys block 1 (629.409) and 120.591 / 26.2075 = 4.601393 kWh of
			// block 2: 34.601393 kWh.
			//   fuel 3.59 × 34.601393 = 124.2190 -> 124.22; forex 1.21 × = 41.8677 -> 41.87
			//   inflation 0.46 × = 15.9166 -> 15.92; EPRA 0.08 × = 2.7681 -> 2.77
			//   WARMA 0.0125 × = 0.4325 -> 0.43; REP 0.611×30 + 0.827×4.601393 = 22.1354 -> 22.14
			//   VAT 2.7968×30 + 3.488×4.601393 = 99.9537 -> 99.95
			//   Token Amt 750 - 307.30 = 442.70 (exact 442.7070)
			name: "large debt partly recovered at 25%",
			v:    sample, in: Input{Paid: amt(t, "1000"), Debt: amt(t, "5000")},
			wh: 34602, units: "34.60", tenths: 347,
			lines: map[string]string{"energy": "442.70", "vat": "99.95", "fuel_energy_cost": "124.22",
				"forex_adjustment": "41.87", "inflation_adjustment": "15.92", "energy_regulator_levy": "2.77",
				"rural_electrification_levy": "22.14", "water_resources_levy": "0.43", "debt": "250.00"},
		},
		{
			// Fixed-charge tariff: block 1 (0-50 kWh) all-in 10 + 2 (fuel) + 0.10
			// (EPRA) + 16%×12 (1.92) = 14.02/kWh. The month's charge is 150 + 16%
			// VAT (24.00) = 174.00, leaving 326 for energy: 326 / 14.02 =
			// 23.252496 kWh.
			//   fuel 2 × 23.252496 = 46.5050 -> 46.50 (exact 46.504993)
			//   EPRA 0.10 × 23.252496 = 2.3252 -> 2.33
			//   VAT  1.92 × 23.252496 = 44.6448 -> 44.64, plus 24.00 on the fixed charge = 68.64
			//   Token Amt 326 - 46.50 - 2.33 - 44.64 = 232.53 (exact 232.5250)
			name: "fixed charge on the first vend of the month",
			v:    fixed, in: Input{Paid: amt(t, "500"), FirstVendOfMonth: true},
			wh: 23253, units: "23.25", tenths: 233,
			lines: map[string]string{"energy": "232.53", "vat": "68.64", "fuel_energy_cost": "46.50",
				"energy_regulator_levy": "2.33", "fixed": "150.00"},
		},
		{
			// Same payment later in the month: no fixed charge, 500 / 14.02 =
			// 35.663338 kWh. fuel 71.3267 -> 71.33; EPRA 3.5663 -> 3.57;
			// VAT 1.92 × 35.663338 = 68.4736 -> 68.47; Token Amt 500 - 143.37 = 356.63.
			name: "no fixed charge after the first vend",
			v:    fixed, in: Input{Paid: amt(t, "500")},
			wh: 35664, units: "35.66", tenths: 357,
			lines: map[string]string{"energy": "356.63", "vat": "68.47", "fuel_energy_cost": "71.33",
				"energy_regulator_levy": "3.57"},
		},
		{
			// Debt first: 25% of 100 = 25.00. The 75.00 left cannot cover the
			// 174.00 fixed charge: all of it goes there, VAT's share
			// 75 × 24/174 = 10.3448 -> 10.34, fixed 64.66; 99.00 is carried to
			// arrears, and no energy is bought.
			name: "fixed charge not covered after debt recovery",
			v:    fixed, in: Input{Paid: amt(t, "100"), FirstVendOfMonth: true, Debt: amt(t, "1000")},
			wh: 0, units: "0.00", tenths: 0,
			lines: map[string]string{"energy": "0.00", "vat": "10.34", "fuel_energy_cost": "0.00",
				"energy_regulator_levy": "0.00", "fixed": "64.66", "debt": "25.00"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := tt.v.Price(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if q.Energy != tt.wh || q.Units != tt.units || q.TokenTenths != tt.tenths {
				t.Errorf("energy %d Wh, units %q, token %d tenths; want %d, %q, %d", q.Energy, q.Units, q.TokenTenths, tt.wh, tt.units, tt.tenths)
			}
			if len(q.Lines) != len(tt.lines) {
				t.Errorf("%d lines %v; want %d", len(q.Lines), q.Lines, len(tt.lines))
			}
			for code, want := range tt.lines {
				if got := q.Line(code).Amount; got != amt(t, want) {
					t.Errorf("line %s = %s; want %s", code, got, want)
				}
			}
			if q.Total() != tt.in.Paid {
				t.Errorf("lines add up to %s; paid %s", q.Total(), tt.in.Paid)
			}
			if tt.blocks != nil && !equalBlocks(q.Blocks, tt.blocks) {
				t.Errorf("blocks %+v; want %+v", q.Blocks, tt.blocks)
			}
		})
	}
}

func equalBlocks(a, b []BlockUse) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPriceQuoteFields(t *testing.T) {
	t.Parallel()
	v := mustParseFile(t, "fixed-charge.yaml").Versions[0]
	q, err := v.Price(Input{Paid: amt(t, "100"), FirstVendOfMonth: true, Debt: amt(t, "1000")})
	if err != nil {
		t.Fatal(err)
	}
	if q.DebtRecovered != amt(t, "25") || q.FixedCharge != amt(t, "64.66") || q.FixedCarried != amt(t, "99") {
		t.Errorf("debt %s, fixed %s, carried %s; want 25.00, 64.66, 99.00", q.DebtRecovered, q.FixedCharge, q.FixedCarried)
	}
	if q.ChargesExceptEnergy() != amt(t, "100") || q.Currency != "KES" || !q.VersionEffective.Equal(v.EffectiveFrom) {
		t.Errorf("charges %s, currency %q, version %s", q.ChargesExceptEnergy(), q.Currency, q.VersionEffective)
	}
	want := []string{"energy", "vat", "fuel_energy_cost", "energy_regulator_levy", "fixed", "debt"}
	for i, l := range q.Lines {
		if i >= len(want) || l.Code != want[i] {
			t.Fatalf("line order %v; want %v", q.Lines, want)
		}
	}
	if l := q.Line("debt"); l.Label != "Debt Recovery" || l.LabelSW != "Malipo ya Deni" {
		t.Errorf("debt labels %q / %q", l.Label, l.LabelSW)
	}
	if l := q.Line("no_such"); l != (Line{}) {
		t.Errorf("missing line = %+v; want zero", l)
	}
}

func TestPriceSampleLabelsAndShortSMS(t *testing.T) {
	t.Parallel()
	q, err := Sample().Versions[0].Price(Input{Paid: amt(t, "100")})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ code, en, sw string }{
		{"energy", "Token Amt", "Kiasi cha Tokeni"}, {"vat", "VAT", "VAT"},
		{"fuel_energy_cost", "Fuel Energy Charge", "Gharama ya Mafuta"}, {"forex_adjustment", "Forex Charge", "Gharama ya Fedha za Kigeni"},
		{"inflation_adjustment", "Inflation Adjustment", "Marekebisho ya Mfumuko wa Bei"},
		{"energy_regulator_levy", "EPRA Charge", "Ada ya EPRA"}, {"rural_electrification_levy", "REP Charge", "Ada ya REP"},
		{"water_resources_levy", "WARMA Charge", "Ada ya WARMA"},
	}
	if len(q.Lines) != len(want) {
		t.Fatalf("lines %v", q.Lines)
	}
	for i, w := range want {
		if l := q.Lines[i]; l.Code != w.code || l.Label != w.en || l.LabelSW != w.sw {
			t.Errorf("line %d = %s %q %q; want %s %q %q", i, l.Code, l.Label, l.LabelSW, w.code, w.en, w.sw)
		}
	}
	// The short SMS: Token Amt 58.25, other charges 41.75.
	if q.ChargesExceptEnergy() != amt(t, "41.75") {
		t.Errorf("other charges %s; want 41.75", q.ChargesExceptEnergy())
	}
}

func TestPriceLimits(t *testing.T) {
	t.Parallel()
	v := Sample().Versions[0]
	tests := []struct {
		paid  string
		want  error
		limit string
	}{
		{"99.99", ErrBelowMinimum, "100.00"},
		{"0", ErrBelowMinimum, "100.00"},
		{"-5", ErrBelowMinimum, "100.00"},
		{"35000.01", ErrAboveMaximum, "35000.00"},
		{"100", nil, ""},
		{"35000", nil, ""},
	}
	for _, tt := range tests {
		_, err := v.Price(Input{Paid: amt(t, tt.paid)})
		if !errors.Is(err, tt.want) {
			t.Errorf("Price(%s) error %v; want %v", tt.paid, err, tt.want)
			continue
		}
		if tt.want == nil {
			continue
		}
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != amt(t, tt.limit) || le.Paid != amt(t, tt.paid) {
			t.Errorf("Price(%s) error %#v; want limit %s", tt.paid, err, tt.limit)
		}
	}
	_, err := v.Price(Input{Paid: amt(t, "50")})
	if want := "KES 50.00 is below the minimum purchase of KES 100.00"; err == nil || err.Error() != want {
		t.Errorf("error text %q; want %q", err, want)
	}
}

func TestPriceBadInput(t *testing.T) {
	t.Parallel()
	v := Sample().Versions[0]
	for _, in := range []Input{
		{Paid: amt(t, "100"), Debt: -1},
		{Paid: amt(t, "100"), MonthEnergy: -1},
		{Paid: amt(t, "100"), MonthEnergy: maxMonthWh + 1},
	} {
		if _, err := v.Price(in); err == nil {
			t.Errorf("Price(%+v) succeeded; want an error", in)
		}
	}
	if _, err := (Version{}).Price(Input{Paid: 100}); err == nil {
		t.Error("zero Version priced a payment")
	}
	broken := v
	broken.Blocks = []Block{{UpToWh: 0, Rate: 0}}
	if _, err := broken.Price(Input{Paid: amt(t, "100")}); err == nil {
		t.Error("a zero rate priced a payment (division by a zero price)")
	}
}

// A switch of version by effective date changes the price of the same payment.
func TestPriceVersionSwitch(t *testing.T) {
	t.Parallel()
	tf := mustParseFile(t, "kenya-domestic-versions.yaml")
	tests := []struct {
		at     time.Time
		from   string
		energy string
		wh     int64
	}{
		// 2024-06-30 23:59 EAT: the first version (the sample's figures).
		{time.Date(2024, 6, 30, 20, 59, 0, 0, time.UTC), "2023-04-01", "58.25", 4767},
		// 2024-07-01 00:00 EAT. Pass-throughs 2.78 + 0.99 + 0.46 = 4.23, so block 1
		// costs 12.22 + 4.23 + 0.0925 + 0.611 + 16%×16.45 (2.632) = 19.7855/kWh:
		// KES 100 buys 5.054206 kWh. Lines: fuel 14.0507 -> 14.05, forex 5.0037
		// -> 5.00, inflation 2.3249 -> 2.32, EPRA 0.4043 -> 0.40, WARMA 0.0632
		// -> 0.06, REP 3.0881 -> 3.09, VAT 13.3027 -> 13.30; Token Amt 61.78.
		{time.Date(2024, 6, 30, 21, 0, 0, 0, time.UTC), "2024-07-01", "61.78", 5055},
	}
	for _, tt := range tests {
		v, err := tf.At(tt.at)
		if err != nil {
			t.Fatal(err)
		}
		q, err := v.Price(Input{Paid: amt(t, "100")})
		if err != nil {
			t.Fatal(err)
		}
		if got := q.VersionEffective.Format("2006-01-02"); got != tt.from {
			t.Errorf("at %s: version %s; want %s", tt.at, got, tt.from)
		}
		if q.Line("energy").Amount != amt(t, tt.energy) || q.Energy != tt.wh {
			t.Errorf("at %s: energy line %s, %d Wh; want %s, %d", tt.at, q.Line("energy").Amount, q.Energy, tt.energy, tt.wh)
		}
		if q.Total() != q.Paid {
			t.Errorf("at %s: total %s", tt.at, q.Total())
		}
	}
}

// With the energy charge tiny next to three pass-throughs, two cents split
// 0.67 + 0.67 + 0.67 (+ a trace of energy): rounding each half up would take
// three cents from two. The lines fall back to rounding down and the two
// cents go to the energy line.
func TestPriceRoundingFallback(t *testing.T) {
	t.Parallel()
	v := Version{
		EffectiveFrom: time.Date(2024, 1, 1, 0, 0, 0, 0, Zone), Currency: "KES",
		Blocks: []Block{{Rate: 1}},
		Charges: []Charge{
			{Code: "a", Kind: PassThrough, Rate: RateScale},
			{Code: "b", Kind: PassThrough, Rate: RateScale},
			{Code: "c", Kind: PassThrough, Rate: RateScale},
		},
		MinPurchase: 1, MaxPurchase: 100,
	}
	q, err := v.Price(Input{Paid: 2})
	if err != nil {
		t.Fatal(err)
	}
	if q.Line("energy").Amount != 2 || q.Line("a").Amount != 0 || q.Total() != 2 {
		t.Errorf("lines %+v; want energy 0.02 and the rest 0", q.Lines)
	}
	// 0.02 / 3.0001 per kWh = 6.666 Wh, rounded up to 7.
	if q.Energy != 7 {
		t.Errorf("energy %d Wh; want 7", q.Energy)
	}
}

func TestCostOf(t *testing.T) {
	t.Parallel()
	v := Sample().Versions[0]
	tests := []struct {
		name string
		in   Input
		wh   int64
		want string
	}{
		// 5 kWh in block 1 cost 5 × 20.9803 = 104.9015 exactly, but energy is
		// rounded up to the Wh: 104.89 buys 4,999.45 Wh -> 5,000 Wh, while
		// 104.88 buys 4,998.98 Wh -> 4,999 Wh.
		{"5 units", Input{}, 5000, "104.89"},
		// Anything below the minimum purchase costs the minimum.
		{"1 unit", Input{}, 1000, "100.00"},
		// 40 kWh from 0: block 1 (629.409) and 10 kWh of block 2. 891.46 leaves
		// 262.051 / 26.2075 = 9.999084 kWh for block 2 -> 39,999.08 Wh -> 40,000
		// Wh; 891.45 leaves 9.998703 kWh -> 39,999 Wh.
		{"40 units across blocks", Input{}, 40000, "891.46"},
		// With debt, 25% (rounded down) goes to it first: 1,188.61 - 297.15 =
		// 891.46, while 1,188.60 - 297.15 = 891.45 is a cent short.
		{"40 units while in debt", Input{Debt: amt(t, "5000")}, 40000, "1188.61"},
	}
	for _, tt := range tests {
		got, err := v.CostOf(tt.in, tt.wh)
		if err != nil || got != amt(t, tt.want) {
			t.Errorf("%s: CostOf = %s, %v; want %s", tt.name, got, err, tt.want)
			continue
		}
		in := tt.in
		in.Paid = got
		q, err := v.Price(in)
		if err != nil || q.Energy < tt.wh {
			t.Errorf("%s: paying %s buys %d Wh (%v); want at least %d", tt.name, got, q.Energy, err, tt.wh)
		}
	}
	if _, err := v.CostOf(Input{}, 2_000_000_000); !errors.Is(err, ErrAboveMaximum) {
		t.Errorf("CostOf(2 GWh) error %v; want ErrAboveMaximum", err)
	}
}
