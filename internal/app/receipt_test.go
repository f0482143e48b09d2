package app_test

import (
	"net/http"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

type vendReply struct {
	ID      string `json:"id"`
	Receipt string `json:"receipt"`
	Amount  struct {
		Minor int64 `json:"minor"`
	} `json:"amount"`
	Units  string `json:"units_kwh"`
	Tokens []struct {
		Kind   string `json:"kind"`
		Token  string `json:"token"`
		Tenths int64  `json:"tenths_kwh"`
	} `json:"tokens"`
	Lines []struct {
		Code    string `json:"code"`
		Label   string `json:"label"`
		LabelSW string `json:"label_sw"`
		Amount  struct {
			Minor int64 `json:"minor"`
		} `json:"amount"`
	} `json:"receipt_lines"`
}

// The itemised receipts of two purchases, checked against figures worked
// out by hand from the sample tariff (internal/tariff/sample):
//
// One kWh in the first block (up to 30 kWh a month, KES 12.22) costs
//
//	energy                        12.2200
//	fuel energy cost               3.5900  pass-through, VAT applies
//	forex adjustment               1.2100  pass-through, VAT applies
//	inflation adjustment           0.4600  pass-through, VAT applies
//	energy regulator levy          0.0800  levy, no VAT
//	rural electrification levy     0.6110  5% of 12.22, no VAT
//	water resources levy           0.0125  levy, no VAT
//	VAT 16% of 17.48               2.7968  (12.22 + 3.59 + 1.21 + 0.46)
//	                              -------
//	                              20.9803
//
// and in the second block (30 to 100 kWh, KES 16.54): the same pass-throughs
// and fixed levies, rural electrification 0.8270, VAT 16% of 21.80 = 3.4880;
// 26.2075 in all.
//
// Purchase 1, KES 500 on a meter with nothing bought this month: 500 /
// 20.9803 = 23.831880... kWh, all in block 1. Each line but energy is its
// rate times that, rounded half up to the cent; energy takes the rest:
//
//	fuel       3.59   × 23.83188 = 85.5564  → 85.56
//	forex      1.21   × 23.83188 = 28.8366  → 28.84
//	inflation  0.46   × 23.83188 = 10.9627  → 10.96
//	ERC        0.08   × 23.83188 =  1.9066  →  1.91
//	REP        0.611  × 23.83188 = 14.5613  → 14.56
//	WRA        0.0125 × 23.83188 =  0.2979  →  0.30
//	VAT        2.7968 × 23.83188 = 66.6526  → 66.65
//	energy     500 - 208.78              = 291.22 (12.22 × 23.83188 = 291.2256)
//
// The energy is rounded up to the Wh, 23,832 Wh: "23.83" kWh, and the token
// carries it rounded up to tenths of a kWh, 239.
//
// Purchase 2, KES 1,000 later the same month: 30,000 - 23,832 = 6,168 Wh
// are left in block 1, costing 6.168 × 20.9803 = 129.4064904; the other
// 870.5935096 buys 870.5935096 / 26.2075 = 33.219251 kWh in block 2, so
// 39.387251 kWh in all: 39,388 Wh, "39.39" kWh, 394 tenths. Line by line,
// 6.168 kWh at block 1's price plus 33.219251 kWh at block 2's:
//
//	fuel       3.59 × 39.387251                    = 141.4002 → 141.40
//	forex      1.21 × 39.387251                    =  47.6586 →  47.66
//	inflation  0.46 × 39.387251                    =  18.1181 →  18.12
//	ERC        0.08 × 39.387251                    =   3.1510 →   3.15
//	REP        0.611 × 6.168 + 0.827 × 33.219251   =  31.2410 →  31.24
//	WRA        0.0125 × 39.387251                  =   0.4923 →   0.49
//	VAT        2.7968 × 6.168 + 3.488 × 33.219251  = 133.1194 → 133.12
//	energy     1000 - 375.18                       = 624.82 (exactly 624.8194)
func TestReceiptsMatchHandComputedTariff(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[1]

		first := a.PayBill(c.Phone, c.Meter, 500)
		a.WaitPayment(first, payment.Applied)
		second := a.PayBill(c.Phone, c.Meter, 1000)
		a.WaitPayment(second, payment.Applied)

		var got struct {
			Vends []vendReply `json:"vends"`
		}
		a.JSON("GET", "/api/v1/meters/"+c.Meter+"/vends", a.Key("integration"), nil, http.StatusOK, &got)
		if len(got.Vends) != 2 {
			t.Fatalf("%d vends, want 2", len(got.Vends))
		}
		for _, w := range []struct {
			receipt string
			vend    vendReply
			paid    int64
			units   string
			tenths  int64
			lines   map[string]int64 // cents
		}{
			{first, got.Vends[1], 50000, "23.83", 239, map[string]int64{
				"energy": 29122, "fuel_energy_cost": 8556, "forex_adjustment": 2884, "inflation_adjustment": 1096,
				"energy_regulator_levy": 191, "rural_electrification_levy": 1456, "water_resources_levy": 30, "vat": 6665,
			}},
			{second, got.Vends[0], 100000, "39.39", 394, map[string]int64{
				"energy": 62482, "fuel_energy_cost": 14140, "forex_adjustment": 4766, "inflation_adjustment": 1812,
				"energy_regulator_levy": 315, "rural_electrification_levy": 3124, "water_resources_levy": 49, "vat": 13312,
			}},
		} {
			v := w.vend
			if v.Receipt != w.receipt || v.Amount.Minor != w.paid || v.Units != w.units {
				t.Errorf("vend %s: receipt %s, paid %d, %s kWh; want %s, %d, %s kWh", v.ID, v.Receipt, v.Amount.Minor, v.Units, w.receipt, w.paid, w.units)
			}
			if len(v.Tokens) != 1 || v.Tokens[0].Tenths != w.tenths || v.Tokens[0].Kind != "credit" {
				t.Errorf("vend %s tokens %+v: want one credit of %d tenths", w.receipt, v.Tokens, w.tenths)
			}
			if dec, err := a.Decode(c.Meter, v.Tokens[0].Token); err != nil || int64(dec.Amount.Value()) != w.tenths {
				t.Errorf("vend %s: the meter reads %+v, %v; want %d tenths", w.receipt, dec.Fields, err, w.tenths)
			}
			lines := map[string]int64{}
			var sum int64
			for _, l := range v.Lines {
				lines[l.Code] = l.Amount.Minor
				sum += l.Amount.Minor
				if l.Label == "" || l.LabelSW == "" {
					t.Errorf("vend %s line %s has no label in English or Swahili", w.receipt, l.Code)
				}
			}
			if len(lines) != len(w.lines) || len(v.Lines) != len(w.lines) {
				t.Errorf("vend %s: %d lines %v, want %v", w.receipt, len(v.Lines), lines, w.lines)
			}
			for code, want := range w.lines {
				if lines[code] != want {
					t.Errorf("vend %s line %s: %d cents, want %d", w.receipt, code, lines[code], want)
				}
			}
			if sum != w.paid {
				t.Errorf("vend %s: lines add up to %d, paid %d", w.receipt, sum, w.paid)
			}
		}
	})
}
