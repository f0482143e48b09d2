package sts

import "math/bits"

// EA07 is the Standard Transfer Algorithm: sixteen rounds of key-selected
// nibble substitution and a fixed bit permutation over the 64-bit block.
//
// The round work is table driven (see sta) rather than 16 nibble look-ups
// and 64 single-bit moves per round.

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

// sta is EA07 ready to run with one set of tables. A round is eight byte
// look-ups in sub (both nibbles of a byte at once, the key bits choosing the
// boxes) and eight in perm (each byte's bits moved to their places), ORed
// together. The tables take 17 KiB each way and stay in the L1 cache; one
// fused 64 KiB table per direction measured twice as slow.
type sta struct {
	// sub[sel][b]: byte b substituted, low nibble by S1 or S2 as sel bit 0
	// says, high nibble as sel bit 1 says. sinv is the inverse.
	sub, sinv [4][256]uint8
	// perm[j][b]: byte j of the block holding b, permuted. pinv is the inverse.
	perm, pinv [8][256]uint64
}

var realSTA = newSTA(&realSTATables)

func newSTA(t *staTables) *sta {
	s := new(sta)
	var i1, i2 [16]uint8
	for v := range 16 {
		i1[t.s1[v]] = uint8(v)
		i2[t.s2[v]] = uint8(v)
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
			s.sub[sel][b] = lo[b&15] | hi[b>>4]<<4
			s.sinv[sel][b] = ilo[b&15] | ihi[b>>4]<<4
		}
	}
	for j := range 8 {
		for b := range 256 {
			x := uint64(b) << (8 * j)
			var y, z uint64
			for i := range 64 {
				y |= (x >> i & 1) << t.p[i]
				z |= (x >> t.p[i] & 1) << i
			}
			s.perm[j][b] = y
			s.pinv[j][b] = z
		}
	}
	return s
}

// roundKey0 is the aligned key of the first round: NOT K rotated right by 12.
// Round r uses it rotated left by r.
func roundKey0(k uint64) uint64 { return bits.RotateLeft64(^k, -12) }

// keySel gathers, for every byte j at once, the key bits 8j+3 and 8j+7 that
// choose S1 or S2 for its low and high nibble: bits 0 and 1 of byte j.
func keySel(k uint64) uint64 {
	return k>>3&0x0101010101010101 | k>>6&0x0202020202020202
}

func (s *sta) encrypt(block, key uint64) uint64 {
	k := roundKey0(key)
	x := block
	for range 16 {
		sel := keySel(k)
		x = s.perm[0][s.sub[sel&3][byte(x)]] |
			s.perm[1][s.sub[sel>>8&3][byte(x>>8)]] |
			s.perm[2][s.sub[sel>>16&3][byte(x>>16)]] |
			s.perm[3][s.sub[sel>>24&3][byte(x>>24)]] |
			s.perm[4][s.sub[sel>>32&3][byte(x>>32)]] |
			s.perm[5][s.sub[sel>>40&3][byte(x>>40)]] |
			s.perm[6][s.sub[sel>>48&3][byte(x>>48)]] |
			s.perm[7][s.sub[sel>>56&3][byte(x>>56)]]
		k = bits.RotateLeft64(k, 1)
	}
	return x
}

func (s *sta) decrypt(block, key uint64) uint64 {
	k := bits.RotateLeft64(roundKey0(key), 15)
	x := block
	for range 16 {
		y := s.pinv[0][byte(x)] | s.pinv[1][byte(x>>8)] | s.pinv[2][byte(x>>16)] | s.pinv[3][byte(x>>24)] |
			s.pinv[4][byte(x>>32)] | s.pinv[5][byte(x>>40)] | s.pinv[6][byte(x>>48)] | s.pinv[7][byte(x>>56)]
		sel := keySel(k)
		x = uint64(s.sinv[sel&3][byte(y)]) |
			uint64(s.sinv[sel>>8&3][byte(y>>8)])<<8 |
			uint64(s.sinv[sel>>16&3][byte(y>>16)])<<16 |
			uint64(s.sinv[sel>>24&3][byte(y>>24)])<<24 |
			uint64(s.sinv[sel>>32&3][byte(y>>32)])<<32 |
			uint64(s.sinv[sel>>40&3][byte(y>>40)])<<40 |
			uint64(s.sinv[sel>>48&3][byte(y>>48)])<<48 |
			uint64(s.sinv[sel>>56&3][byte(y>>56)])<<56
		k = bits.RotateLeft64(k, -1)
	}
	return x
}
