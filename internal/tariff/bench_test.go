package tariff

import (
	"testing"

	"github.com/mteja/mteja/internal/money"
)

// BenchmarkPrice prices a KES 3,000 purchase that crosses all three blocks
// of the sample, the most work a quote does.
func BenchmarkPrice(b *testing.B) {
	v := Sample().Versions[0]
	in := Input{Paid: money.MustFromMajor(3000), FirstVendOfMonth: true, Debt: money.MustFromMajor(50)}
	b.ReportAllocs()
	for b.Loop() {
		q, err := v.Price(in)
		if err != nil || q.Total() != in.Paid {
			b.Fatal(q, err)
		}
	}
}

// BenchmarkPriceOneBlock prices a KES 100 purchase inside block 1.
func BenchmarkPriceOneBlock(b *testing.B) {
	v := Sample().Versions[0]
	in := Input{Paid: money.MustFromMajor(100)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Price(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCostOf(b *testing.B) {
	v := Sample().Versions[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.CostOf(Input{}, 50_000); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	src := SampleYAML()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}
