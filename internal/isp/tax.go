package isp

import (
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/tariff"
)

// Plan prices include excise duty and VAT, as Kenyan ISPs advertise them to
// households. Excise duty on internet data services is charged on the
// price before VAT, and VAT on the price with the excise (today
// price = net × 1.15 × 1.16). The rates are dated as the Finance Acts set
// them; a purchase is taxed at the rates in force on its day (EAT), its tax
// point. Wallet credit is a prepayment, not yet a supply: it is taxed when
// it buys a plan.

// A rate in basis points (1600 is 16%), from a day in EAT.
type datedRate struct {
	from string // YYYY-MM-DD
	bp   int64
}

var (
	vatRates = []datedRate{
		{"2013-09-02", 1600}, // VAT Act 2013
		{"2020-04-01", 1400}, // temporary relief
		{"2021-01-01", 1600},
	}
	exciseRates = []datedRate{ // telephone and internet data services
		{"2018-07-01", 1500},
		{"2021-07-01", 2000},
		{"2023-07-01", 1500},
	}
)

// TaxRates are the rates in force on a day, in basis points.
type TaxRates struct {
	VAT, Excise int64
}

// RatesAt returns the VAT and excise rates in force at t; 0 before the
// first known rate.
func RatesAt(t time.Time) TaxRates {
	day := t.In(tariff.Zone).Format("2006-01-02")
	return TaxRates{VAT: rateAt(vatRates, day), Excise: rateAt(exciseRates, day)}
}

func rateAt(rates []datedRate, day string) int64 {
	var bp int64
	for _, r := range rates {
		if r.from <= day {
			bp = r.bp
		}
	}
	return bp
}

// Split is a price taken apart into what the ISP earns and the taxes in
// it. Net + Excise + VAT = Price exactly.
type Split struct {
	Price, Net, Excise, VAT money.Amount
	Rates                   TaxRates
}

// SplitPrice takes a tax-inclusive price apart at the rates in force at t.
// The one rounding point: the net is rounded to the cent (half up), the
// excise is rounded from it, and VAT takes what is left, so the lines add
// up to the price and VAT is within a cent of its rate on net + excise.
func SplitPrice(price money.Amount, at time.Time) Split {
	r := RatesAt(at)
	den := (10_000 + r.Excise) * (10_000 + r.VAT)
	// Prices are bounded (MaxPrice), so price × 10^8 fits in an int64.
	net := (int64(price)*100_000_000 + den/2) / den
	excise := (net*r.Excise + 5_000) / 10_000
	return Split{Price: price, Net: money.Amount(net), Excise: money.Amount(excise), VAT: price - money.Amount(net) - money.Amount(excise), Rates: r}
}
