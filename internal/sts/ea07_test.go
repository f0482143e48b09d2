package sts

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// sampleSTATables are the sample tables printed in IEC 62055-41. Meters do
// not use them; they exist here only to check the standard's worked example.
var sampleSTATables = staTables{
	s1: [16]uint8{12, 10, 8, 4, 3, 15, 0, 2, 14, 1, 5, 13, 6, 9, 7, 11},
	s2: [16]uint8{6, 9, 7, 4, 3, 10, 12, 14, 2, 13, 1, 15, 0, 11, 8, 5},
	p: [64]uint8{
		29, 27, 34, 9, 16, 62, 55, 2, 40, 49, 38, 25, 33, 61, 30, 23,
		1, 41, 21, 57, 42, 15, 5, 58, 19, 53, 22, 17, 48, 28, 24, 39,
		3, 60, 36, 14, 11, 52, 54, 12, 31, 51, 10, 26, 0, 45, 37, 43,
		44, 6, 59, 4, 7, 35, 56, 50, 13, 18, 32, 47, 46, 63, 20, 8,
	},
}

// referenceEncrypt is EA07 written straight from the description, one
// nibble and one bit at a time, to check the table-driven version.
func referenceEncrypt(t *staTables, block, key uint64) uint64 {
	k := bits.RotateLeft64(^key, -12)
	x := block
	for range 16 {
		var s uint64
		for n := range 16 {
			v := x >> (4 * n) & 15
			box := &t.s1
			if k>>(4*n+3)&1 != 0 {
				box = &t.s2
			}
			s |= uint64(box[v]) << (4 * n)
		}
		var p uint64
		for i := range 64 {
			p |= (s >> i & 1) << t.p[i]
		}
		x = p
		k = bits.RotateLeft64(k, 1)
	}
	return x
}

func TestEA07MatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tab := range []*staTables{&realSTATables, &sampleSTATables} {
		s := newSTA(tab)
		for range 2000 {
			block, key := r.Uint64(), r.Uint64()
			c := s.encrypt(block, key)
			if want := referenceEncrypt(tab, block, key); c != want {
				t.Fatalf("encrypt(%016X, key) = %016X, reference %016X", block, c, want)
			}
			if p := s.decrypt(c, key); p != block {
				t.Fatalf("decrypt(encrypt(%016X)) = %016X", block, p)
			}
		}
	}
}

func TestTablesArePermutations(t *testing.T) {
	for _, tab := range []*staTables{&realSTATables, &sampleSTATables} {
		var s1, s2 [16]bool
		var p [64]bool
		for i := range 16 {
			s1[tab.s1[i]] = true
			s2[tab.s2[i]] = true
		}
		for i := range 64 {
			p[tab.p[i]] = true
		}
		for i := range 16 {
			if !s1[i] || !s2[i] {
				t.Fatalf("substitution table misses %d", i)
			}
		}
		for i := range 64 {
			if !p[i] {
				t.Fatalf("permutation misses bit %d", i)
			}
		}
	}
	var s7 [128]bool
	var s9 [512]bool
	for _, v := range misty1S7 {
		s7[v] = true
	}
	for _, v := range misty1S9 {
		s9[v] = true
	}
	for i := range s7 {
		if !s7[i] {
			t.Fatalf("S7 misses %d", i)
		}
	}
	for i := range s9 {
		if !s9[i] {
			t.Fatalf("S9 misses %d", i)
		}
	}
}
