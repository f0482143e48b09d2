package sts

import (
	"context"
	"fmt"
	"testing"
)

// The vend worker calls Credit thousands of times a second; these report
// tokens per second on one core (run with -cpu 1) and allocations.

func benchMeter(alg Algorithm, dkga DKGA) Meter {
	return Meter{DRN: "01234567897", SGC: 123456, TI: 1, KRN: 1, KT: 2, KEN: NoKeyExpiry, BaseDate: Base1993, Algorithm: alg, DKGA: dkga}
}

func reportTokens(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

func benchIssue(b *testing.B, key DecoderKey) {
	b.ReportAllocs()
	req := CreditRequest{Kind: Electricity, Tenths: 256, RND: 5}
	for i := 0; b.Loop(); i++ {
		req.TID = TID(i) & MaxTID
		f, err := req.Fields()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Issue(f, key); err != nil {
			b.Fatal(err)
		}
	}
	reportTokens(b)
}

// BenchmarkCreditEA07 is a credit token with a known decoder key: fields,
// CRC and the Standard Transfer Algorithm.
func BenchmarkCreditEA07(b *testing.B) {
	k, _ := ParseDecoderKey(EA07, "0ABC12DEF3456789")
	benchIssue(b, k)
}

// BenchmarkCreditEA11 is the same with MISTY1, key schedule included.
func BenchmarkCreditEA11(b *testing.B) {
	k, _ := ParseDecoderKey(EA11, "F94B6ED353C3BFDB113E2D3A7EA3C41D")
	benchIssue(b, k)
}

// benchMeters are many distinct meters, as a vend worker sees them.
func benchMeters(alg Algorithm, dkga DKGA) []Meter {
	ms := make([]Meter, 10000)
	for i := range ms {
		m := benchMeter(alg, dkga)
		m.DRN, _ = WithCheckDigit(fmt.Sprintf("01%08d", i))
		ms[i] = m
	}
	return ms
}

func benchGenerator(b *testing.B, vkHex string, ms []Meter) {
	vk, err := ParseVendingKey(vkHex)
	if err != nil {
		b.Fatal(err)
	}
	g, err := NewSoftwareGenerator(vk)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		req := CreditRequest{Kind: Electricity, Tenths: 256, RND: 5, TID: TID(i) & 0xFFFF}
		if _, err := g.Credit(ctx, ms[i%len(ms)], req); err != nil {
			b.Fatal(err)
		}
	}
	reportTokens(b)
}

// BenchmarkCreditWithDKGA02 is the generator's full path: validation,
// DKGA02 (one DES block) and EA07.
func BenchmarkCreditWithDKGA02(b *testing.B) {
	benchGenerator(b, "ABABABABABABABAB", benchMeters(EA07, DKGA02))
}

// BenchmarkCreditWithDKGA04 is the same with DKGA04 (HMAC-SHA-256).
func BenchmarkCreditWithDKGA04(b *testing.B) {
	benchGenerator(b, "ABABABABABABABAB949494949494949401234567", benchMeters(EA07, DKGA04))
}

// BenchmarkCreditEA11WithDKGA04 is the full path for a MISTY1 meter.
func BenchmarkCreditEA11WithDKGA04(b *testing.B) {
	benchGenerator(b, "ABABABABABABABAB949494949494949401234567", benchMeters(EA11, DKGA04))
}

// BenchmarkCreditParallel is the DKGA02 path from every core at once.
func BenchmarkCreditParallel(b *testing.B) {
	vk, _ := ParseVendingKey("ABABABABABABABAB")
	g, _ := NewSoftwareGenerator(vk)
	ms := benchMeters(EA07, DKGA02)[:1000]
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			req := CreditRequest{Kind: Electricity, Tenths: 256, RND: 5, TID: TID(i) & 0xFFFF}
			if _, err := g.Credit(ctx, ms[i%len(ms)], req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportTokens(b)
}

func BenchmarkDecode(b *testing.B) {
	k, _ := ParseDecoderKey(EA07, "0ABC12DEF3456789")
	t, _ := Parse("29054347139309851356")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(t, k); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormat(b *testing.B) {
	t, _ := Parse("29054347139309851356")
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		buf = t.AppendDigits(buf[:0])
	}
}

// BenchmarkDeriveDKGA02 and BenchmarkDeriveDKGA04 are one decoder key
// derivation each: what a cache of derived keys would save per token.
func BenchmarkDeriveDKGA02(b *testing.B) { benchDerive(b, "ABABABABABABABAB", DKGA02) }

func BenchmarkDeriveDKGA04(b *testing.B) {
	benchDerive(b, "ABABABABABABABAB949494949494949401234567", DKGA04)
}

func benchDerive(b *testing.B, vkHex string, dkga DKGA) {
	vk, _ := ParseVendingKey(vkHex)
	s, err := newVendingKeyState(vk)
	if err != nil {
		b.Fatal(err)
	}
	p := benchMeter(EA07, dkga).keyParams()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.derive(p); err != nil {
			b.Fatal(err)
		}
	}
}
