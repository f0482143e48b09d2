package tariff

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mteja/mteja/internal/money"
)

// FuzzParse feeds arbitrary bytes to Parse: it must return an error or a
// tariff that validates and prices its limits exactly, and never panic.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(minimal))
	f.Add([]byte("name: t\ncurrency: KES\nversions:\n  - &v {effective_from: 2024-01-01, energy_blocks: [{rate: 1}], vat_pct: 1, min_purchase: 0.01, max_purchase: 1}\n  - *v\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("energy_blocks: [{rate: 999999999999.9999}]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tf, err := Parse(b)
		if err != nil {
			return
		}
		if err := tf.Validate(); err != nil {
			t.Fatalf("Parse accepted a tariff that does not validate: %v", err)
		}
		for _, v := range tf.Versions {
			for _, in := range []Input{
				{Paid: v.MinPurchase, FirstVendOfMonth: true},
				{Paid: v.MaxPurchase, MonthEnergy: maxMonthWh, Debt: v.MaxPurchase},
			} {
				q, err := v.Price(in)
				if err != nil {
					t.Fatalf("Price(%+v): %v", in, err)
				}
				if q.Total() != in.Paid {
					t.Fatalf("lines add up to %s; paid %s", q.Total(), in.Paid)
				}
			}
		}
	})
}

// FuzzPrice prices arbitrary inputs on the sample and the fixed-charge
// tariff and checks them against the big.Rat reference.
func FuzzPrice(f *testing.F) {
	f.Add(int64(10000), int64(0), int64(0), true, false)
	f.Add(int64(50000), int64(20000), int64(0), false, false)
	f.Add(int64(10000), int64(0), int64(100000), true, true)
	f.Add(int64(3500000), int64(99999), int64(1), false, true)
	sample := Sample().Versions[0]
	b, err := os.ReadFile("testdata/fixed-charge.yaml")
	if err != nil {
		f.Fatal(err)
	}
	tf, err := Parse(b)
	if err != nil {
		f.Fatal(err)
	}
	fixed := tf.Versions[0]
	f.Fuzz(func(t *testing.T, paid, monthWh, debt int64, first, useFixed bool) {
		v := sample
		if useFixed {
			v = fixed
		}
		in := Input{Paid: money.Amount(paid), MonthEnergy: monthWh, Debt: money.Amount(debt), FirstVendOfMonth: first}
		q, err := v.Price(in)
		if err != nil {
			return
		}
		checkQuote(t, v, in, q)
	})
}
