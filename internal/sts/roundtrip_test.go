package sts

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// randomMeter is a valid meter with random parameters: EA07 with DKGA02 or
// DKGA04, or EA11 with DKGA04.
func randomMeter(t testing.TB, r *rand.Rand) Meter {
	t.Helper()
	digits := 10
	if r.IntN(2) == 0 {
		digits = 12
	}
	drn, err := WithCheckDigit(fmt.Sprintf("%0*d", digits, r.Int64N(1_000_000_000_000)%pow10i(digits)))
	if err != nil {
		t.Fatal(err)
	}
	m := Meter{
		DRN: drn, SGC: r.Uint32N(1_000_000), TI: uint8(r.UintN(100)), KRN: uint8(1 + r.UintN(9)), KT: uint8(r.UintN(4)),
		KEN: NoKeyExpiry, BaseDate: []BaseDate{Base1993, Base2014, Base2035}[r.IntN(3)],
	}
	switch r.IntN(3) {
	case 0:
		m.Algorithm, m.DKGA = EA07, DKGA02
	case 1:
		m.Algorithm, m.DKGA = EA07, DKGA04
	default:
		m.Algorithm, m.DKGA = EA11, DKGA04
	}
	return m
}

func pow10i(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func testGenerator(t testing.TB) (*SoftwareGenerator, VendingKey, VendingKey) {
	t.Helper()
	vk02, _ := ParseVendingKey("0123456789ABCDEF")
	vk04, _ := ParseVendingKey("00112233445566778899AABBCCDDEEFF01234567")
	g, err := NewSoftwareGenerator(vk04, GroupKey{SGC: 999999, KRN: 1, Key: vk02})
	if err != nil {
		t.Fatal(err)
	}
	return g, vk02, vk04
}

// TestGenerateDecodeRoundTrip makes random tokens of every class and kind
// with both algorithms and checks that the meter's key reads them back.
func TestGenerateDecodeRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	vk02, _ := ParseVendingKey("0123456789ABCDEF")
	vk04, _ := ParseVendingKey("00112233445566778899AABBCCDDEEFF01234567")
	g02, _ := NewSoftwareGenerator(vk02)
	g04, _ := NewSoftwareGenerator(vk04)
	ctx := context.Background()
	counts := map[string]int{}
	for range 3000 {
		m := randomMeter(t, r)
		g := g04
		if m.DKGA == DKGA02 {
			g = g02
		}
		key, err := g.DecoderKey(m)
		if err != nil {
			t.Fatal(err)
		}
		if key.Algorithm() != m.Algorithm {
			t.Fatalf("key for %s meter is a %s key", m.Algorithm, key.Algorithm())
		}
		tid := TID(r.Uint32N(uint32(MaxTID) + 1))
		rnd := uint8(r.UintN(16))
		var tok Token
		var want Fields
		switch kind := r.IntN(5); kind {
		case 0:
			req := CreditRequest{Kind: Subclass(r.UintN(4)), Tenths: r.Uint64N(MaxAmountValue + 1), TID: tid, RND: rnd}
			tok, err = g.Credit(ctx, m, req)
			want, _ = req.Fields()
			if want.Amount.Value() < req.Tenths {
				t.Fatalf("credit %d carried as %d", req.Tenths, want.Amount.Value())
			}
		case 1, 2:
			req := ManagementRequest{
				Kind: []Subclass{SetMaxPower, ClearCredit, ClearTamper, SetMaxPhaseUnbalance}[r.IntN(4)],
				TID:  tid, RND: rnd, Watts: r.Uint64N(100_000), Register: uint16(r.UintN(1 << 16)),
			}
			tok, err = g.Management(ctx, m, req)
			want, _ = req.Fields()
		case 3:
			if m.Algorithm != EA07 {
				continue // key changes to 128-bit keys are not supported
			}
			next := m
			next.TI, next.KRN, next.KEN = uint8(r.UintN(100)), uint8(1+r.UintN(9)), uint8(r.UintN(256))
			ro := r.IntN(2) == 0
			ts, err := g.KeyChange(ctx, m, KeyChangeRequest{New: next, Rollover: ro})
			if err != nil {
				t.Fatal(err)
			}
			nextKey, _ := g.DecoderKey(next)
			d1, err1 := Decode(ts[0], key)
			d2, err2 := Decode(ts[1], key)
			if err1 != nil || err2 != nil {
				t.Fatalf("decode key change: %v, %v", err1, err2)
			}
			if d1.Subclass != SetKey1 || d2.Subclass != SetKey2 || uint64(d1.KeyHalf)<<32|uint64(d2.KeyHalf) != nextKey.lo ||
				d1.KENHalf<<4|d2.KENHalf != next.KEN || d1.KRN != next.KRN || d1.KT != next.KT || d2.TI != next.TI || d1.Rollover != ro {
				t.Fatalf("key change to %+v decoded as %+v %+v", next, d1.Fields, d2.Fields)
			}
			counts["key change"]++
			continue
		default:
			f := Fields{Class: ClassTest, Subclass: Subclass(r.UintN(2))}
			if f.Subclass == TestControl36 {
				f.Control, f.Manufacturer = r.Uint64N(1<<36), uint16(r.UintN(1<<8))
			} else {
				f.Control, f.Manufacturer = r.Uint64N(1<<28), uint16(r.UintN(1<<16))
			}
			tok, err = Issue(f, DecoderKey{})
			want = f
			key = DecoderKey{} // test tokens decode without a key
		}
		if err != nil {
			t.Fatalf("%+v: %v", want, err)
		}
		parsed, err := Parse(tok.Dashed())
		if err != nil || parsed != tok {
			t.Fatalf("Parse(%s) = %v, %v", tok.Dashed(), parsed, err)
		}
		d, err := Decode(parsed, key)
		if err != nil {
			t.Fatalf("decode %s (%+v) with %s: %v", tok, want, m.Algorithm, err)
		}
		if d.Fields != want || !d.CRCOK {
			t.Fatalf("decoded %+v, want %+v", d.Fields, want)
		}
		counts[fmt.Sprintf("%s %s", m.Algorithm, Describe(want.Class, want.Subclass))]++
	}
	if len(counts) < 14 {
		t.Errorf("only %d kinds covered: %v", len(counts), counts)
	}
}

func TestDecodeWrongKey(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	right, _ := ParseDecoderKey(EA07, "E653341F9D5BF36F")
	wrong, _ := ParseDecoderKey(EA07, "E94023262E9993C2")
	misty, _ := ParseDecoderKey(EA11, "F94B6ED353C3BFDB113E2D3A7EA3C41D")
	failures := 0
	for i := range 200 {
		f, _ := CreditRequest{Kind: Electricity, Tenths: r.Uint64N(10000), TID: TID(i), RND: 3}.Fields()
		tok, err := Issue(f, right)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []DecoderKey{wrong, misty} {
			d, err := Decode(tok, k)
			if errors.Is(err, ErrCRC) {
				failures++
				if d.CRCOK {
					t.Error("CRC error with CRCOK set")
				}
			}
		}
	}
	// A wrong key passes the 16-bit CRC by chance about once in 65536.
	if failures < 398 {
		t.Errorf("wrong keys passed the CRC %d times in 400", 400-failures)
	}
}

func TestDecodeMistyped(t *testing.T) {
	key, _ := ParseDecoderKey(EA07, "E653341F9D5BF36F")
	tok, _ := Parse("23716100501183194197")
	if _, err := Decode(tok, key); err != nil {
		t.Fatal(err)
	}
	typo, _ := Parse("23716100501183194198")
	if _, err := Decode(typo, key); !errors.Is(err, ErrCRC) {
		t.Errorf("one digit off: err = %v, want ErrCRC", err)
	}
	swapped, _ := Parse("32716100501183194197")
	if _, err := Decode(swapped, key); !errors.Is(err, ErrCRC) {
		t.Errorf("two digits swapped: err = %v, want ErrCRC", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	credit, _ := Parse("23716100501183194197")
	if _, err := Decode(credit, DecoderKey{}); !errors.Is(err, ErrNoKey) {
		t.Errorf("credit without key: err = %v, want ErrNoKey", err)
	}
	class3 := transpose(3, 0x1234)
	key, _ := ParseDecoderKey(EA07, "E653341F9D5BF36F")
	if _, err := Decode(class3, key); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("class 3: err = %v, want ErrUnknownKind", err)
	}
	// A well-formed block of an unknown management subclass.
	b := uint64(7) << 60
	b |= uint64(CRC(uint64(ClassManagement)<<48 | b>>16))
	unknown := transpose(ClassManagement, key.encrypt(b))
	if d, err := Decode(unknown, key); !errors.Is(err, ErrUnknownKind) || !d.CRCOK {
		t.Errorf("subclass 7: err = %v, CRC ok %v", err, d.CRCOK)
	}
}

func TestGeneratorRefuses(t *testing.T) {
	g, _, _ := testGenerator(t)
	ctx := context.Background()
	m := benchMeter(EA07, DKGA04)
	m.KEN = 0x59
	if _, err := g.Credit(ctx, m, CreditRequest{TID: 0x5A0000, Tenths: 1}); err == nil {
		t.Error("a TID past the key expiry number was accepted")
	}
	if _, err := g.Credit(ctx, m, CreditRequest{TID: 0x59FFFF, Tenths: 1}); err != nil {
		t.Errorf("the last TID before expiry: %v", err)
	}
	if _, err := g.Credit(ctx, m, CreditRequest{Kind: 4, Tenths: 1}); err == nil {
		t.Error("credit subclass 4 accepted")
	}
	if _, err := g.Credit(ctx, m, CreditRequest{Tenths: MaxAmountValue + 1}); !errors.Is(err, ErrAmountRange) {
		t.Errorf("too much credit: %v", err)
	}
	if _, err := g.Credit(ctx, m, CreditRequest{Tenths: 1, RND: 16}); err == nil {
		t.Error("RND 16 accepted")
	}
	if _, err := g.Management(ctx, m, ManagementRequest{Kind: SetKey1}); err == nil {
		t.Error("key change through Management accepted")
	}
	next := m
	next.DRN = "00000000000"
	if _, err := g.KeyChange(ctx, m, KeyChangeRequest{New: next}); err == nil {
		t.Error("key change to another meter's parameters accepted")
	}
	next = m
	next.Algorithm = EA11
	if _, err := g.KeyChange(ctx, m, KeyChangeRequest{New: next}); err == nil {
		t.Error("key change to a 128-bit key accepted")
	}
	bad := m
	bad.KRN = 0
	if _, err := g.Credit(ctx, bad, CreditRequest{Tenths: 1}); err == nil {
		t.Error("KRN 0 accepted")
	}
}

// TestGeneratorGroupKeys checks that a supply group with its own vending key
// uses it, and that a base date change sets the rollover bit.
func TestGeneratorGroupKeys(t *testing.T) {
	g, vk02, vk04 := testGenerator(t)
	ctx := context.Background()
	m := benchMeter(EA07, DKGA02)
	m.SGC = 999999
	got, err := g.DecoderKey(m)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DeriveDecoderKey(vk02, m)
	if got != want {
		t.Error("the supply group's own vending key was not used")
	}
	m4 := benchMeter(EA07, DKGA04)
	got, _ = g.DecoderKey(m4)
	want, _ = DeriveDecoderKey(vk04, m4)
	if got != want {
		t.Error("the default vending key was not used")
	}
	next := m4
	next.BaseDate = Base2014
	ts, err := g.KeyChange(ctx, m4, KeyChangeRequest{New: next})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(ts[0], got)
	if err != nil || !d.Rollover {
		t.Errorf("base date change without the rollover bit: %+v, %v", d.Fields, err)
	}
}

// TestGeneratorConcurrent runs one generator from many goroutines (run with
// -race): the tokens match those made one at a time.
func TestGeneratorConcurrent(t *testing.T) {
	g, _, _ := testGenerator(t)
	ctx := context.Background()
	ms := []Meter{benchMeter(EA07, DKGA02), benchMeter(EA07, DKGA04), benchMeter(EA11, DKGA04)}
	ms[0].SGC = 999999 // the group with its own DKGA02 key
	want := make([]Token, 300)
	for i := range want {
		tok, err := g.Credit(ctx, ms[i%3], CreditRequest{Tenths: uint64(i), TID: TID(i), RND: uint8(i % 16)})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = tok
	}
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			for i := range want {
				i := (i + w*37) % len(want)
				tok, err := g.Credit(ctx, ms[i%3], CreditRequest{Tenths: uint64(i), TID: TID(i), RND: uint8(i % 16)})
				if err == nil && tok != want[i] {
					err = fmt.Errorf("token %d = %s, want %s", i, tok, want[i])
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
