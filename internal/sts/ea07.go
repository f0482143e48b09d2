package sts

import "math/bits"

// EA07 is the Standard Transfer Algorithm: sixteen rounds of key-selected
// nibble substitution and a fixed bit permutation over the 64-bit block.
//
// The round work is table driven: one table per block byte and key-bit pair
// gives that byte's contribution after substitution and permutation, so a
// round is eight look-ups and ORs instead of 64 single-bit moves.

// staTables are the substitution and permutation tables. The real ones below
// are what meters use; the standard's printed sample tables exist only in the
// tests, to check the worked example.
type staTables struct {
	s1, s2 [16]uint8
	p      [64]uint8 // output bit p[i] = input bit i
}

var realSTATables = staTables{
	s1: [16]uint8{14, 10, 7, 9, 12, 3, 2, 5, 13, 0, 15, 1, 4, 8, 6, 11},
	s2: [16]uint8{12, 8, 2, 13, 7, 6, 1, 3, 11, 5, 9, 15, 0, 4, 10, 14},
	p: [64]uint8{
		55, 42, 10, 18, 24, 21, 44, 35, 2, 22, 56, 43, 27, 58, 9, 50,
		6, 36, 12, 61, 37, 38, 53, 16, 62, 3, 7, 4, 32, 20, 63, 25,
		51, 52, 54, 33, 49, 19, 46, 29, 48, 31, 23, 30, 41, 28, 13, 5,
		40, 60, 39, 11, 15, 17, 1, 0, 57, 34, 59, 8, 47, 14, 45, 26,
	},
}

// sta is EA07 ready to run with one set of tables.
type sta struct {
	// enc[j][sel][b]: byte j of the block holding b, with key bits
	// sel = (bit 8j+3) | (bit 8j+7)<<1, after substitution and permutation.
	enc [8][4][256]uint64
	// pinv[j][b]: byte j of a permuted block holding b, permuted back.
	pinv [8][256]uint64
	// sinv[sel][b]: inverse substitution of one byte for key bits sel.
	sinv [4][256]uint8
}

var realSTA = newSTA(&realSTATables)

func newSTA(t *staTables) *sta {
	s := new(sta)
	var i1, i2 [16]uint8
	for v := range 16 {
		i1[t.s1[v]] = uint8(v)
		i2[t.s2[v]] = uint8(v)
	}
	perm := func(x uint64) uint64 {
		var y uint64
		for i := range 64 {
			y |= (x >> i & 1) << t.p[i]
		}
		return y
	}
	for sel := range 4 {
		lo, hi := &t.s1, &t.s1
		ilo, ihi := &i1, &i1
		if sel&1 != 0 {
			lo, ilo = &t.s2, &i2
		}
		if sel&2 != 0 {
			hi, ihi = &t.s2, &i2
		}
		for b := range 256 {
			sub := uint64(lo[b&15]) | uint64(hi[b>>4])<<4
			for j := range 8 {
				s.enc[j][sel][b] = perm(sub << (8 * j))
			}
			s.sinv[sel][b] = ilo[b&15] | ihi[b>>4]<<4
		}
	}
	for j := range 8 {
		for b := range 256 {
			x := uint64(b) << (8 * j)
			var y uint64
			for i := range 64 {
				y |= (x >> t.p[i] & 1) << i
			}
			s.pinv[j][b] = y
		}
	}
	return s
}

// roundKey0 is the aligned key of the first round: NOT K rotated right by 12.
// Round r uses it rotated left by r.
func roundKey0(k uint64) uint64 { return bits.RotateLeft64(^k, -12) }

// keySel picks, for byte j, the two key bits that choose S1 or S2 for its
// low and high nibble (bits 8j+3 and 8j+7).
func keySel(k uint64, j int) uint64 {
	return k>>(8*j+3)&1 | k>>(8*j+6)&2
}

func (s *sta) encrypt(block, key uint64) uint64 {
	k := roundKey0(key)
	x := block
	for range 16 {
		var y uint64
		for j := range 8 {
			y |= s.enc[j][keySel(k, j)][byte(x>>(8*j))]
		}
		x = y
		k = bits.RotateLeft64(k, 1)
	}
	return x
}

func (s *sta) decrypt(block, key uint64) uint64 {
	k := bits.RotateLeft64(roundKey0(key), 15)
	x := block
	for range 16 {
		var y uint64
		for j := range 8 {
			y |= s.pinv[j][byte(x>>(8*j))]
		}
		x = 0
		for j := range 8 {
			x |= uint64(s.sinv[keySel(k, j)][byte(y>>(8*j))]) << (8 * j)
		}
		k = bits.RotateLeft64(k, -1)
	}
	return x
}
