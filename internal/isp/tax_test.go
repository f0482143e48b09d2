package isp_test

import (
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/money"
)

func TestSplitPrice(t *testing.T) {
	for _, c := range []struct {
		at                  time.Time
		price               money.Amount
		net, excise, vat    money.Amount
		vatRate, exciseRate int64
	}{
		// Today: price = net × 1.15 × 1.16; 50 / 1.334 = 37.48.
		{eat(2025, 5, 15, 10, 0), kes(50), 3748, 562, 690, 1600, 1500},
		{eat(2025, 5, 15, 10, 0), kes(2000), 149925, 22489, 27586, 1600, 1500},
		{eat(2025, 5, 15, 10, 0), kes(1), 75, 11, 14, 1600, 1500},
		{eat(2025, 5, 15, 10, 0), 0, 0, 0, 0, 1600, 1500},
		// VAT relief in 2020, excise at 20% from July 2021 to June 2023.
		{eat(2020, 6, 1, 12, 0), kes(50), 3814, 572, 614, 1400, 1500},
		{eat(2022, 1, 1, 12, 0), kes(50), 3592, 718, 690, 1600, 2000},
		// The day is EAT's: 00:30 on 1 July 2023 is excise's new rate,
		// though it is still 30 June in UTC.
		{eat(2023, 7, 1, 0, 30), kes(50), 3748, 562, 690, 1600, 1500},
		{eat(2023, 6, 30, 23, 59), kes(50), 3592, 718, 690, 1600, 2000},
	} {
		s := isp.SplitPrice(c.price, c.at)
		if s.Net+s.Excise+s.VAT != c.price {
			t.Errorf("%s at %s: lines add up to %s", c.price, c.at, s.Net+s.Excise+s.VAT)
		}
		if s.Net != c.net || s.Excise != c.excise || s.VAT != c.vat || s.Rates.VAT != c.vatRate || s.Rates.Excise != c.exciseRate {
			t.Errorf("%s at %s: %+v, want net %d excise %d vat %d at %d/%d", c.price, c.at, s, c.net, c.excise, c.vat, c.vatRate, c.exciseRate)
		}
	}
	// VAT stays within a cent of its rate on net + excise, for any price.
	for p := money.Amount(100); p <= kes(3000); p += 100 {
		s := isp.SplitPrice(p, eat(2025, 5, 15, 10, 0))
		want := (int64(s.Net+s.Excise)*1600 + 5000) / 10000
		if d := int64(s.VAT) - want; d < -1 || d > 1 {
			t.Fatalf("%s: VAT %d, want %d within a cent", p, s.VAT, want)
		}
	}
}
