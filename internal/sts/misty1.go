package sts

// EA11 is MISTY1 (RFC 2994): a 64-bit block, a 128-bit key, eight rounds.
// Key and block are big-endian integers; STS adds nothing around the cipher.

// misty1Key is the expanded key EK[0..15] of RFC 2994 section 2.2: EK[0..7]
// are the key's 16-bit words, EK[8..15] = FI(EK[i], EK[i+1 mod 8]). The
// RFC's EK[16..31] are the 9- and 7-bit halves of EK[8..15], split inside fi.
type misty1Key [16]uint16

func newMisty1Key(hi, lo uint64) misty1Key {
	var ek misty1Key
	for i := range 4 {
		ek[i] = uint16(hi >> (48 - 16*i))
		ek[4+i] = uint16(lo >> (48 - 16*i))
	}
	for i := range 8 {
		ek[8+i] = misty1FI(ek[i], ek[(i+1)%8])
	}
	return ek
}

// misty1FI is the 16-bit FI function: two S9 and one S7 layer, with the key's
// low 9 bits and high 7 bits mixed in between.
func misty1FI(in, key uint16) uint16 {
	d9 := in >> 7
	d7 := in & 0x7f
	d9 = misty1S9[d9] ^ d7
	d7 = uint16(misty1S7[d7]) ^ d9&0x7f
	d7 ^= key >> 9
	d9 ^= key & 0x1ff
	d9 = misty1S9[d9] ^ d7
	return d7<<9 | d9
}

func (ek *misty1Key) fo(in uint32, k int) uint32 {
	t0 := uint16(in >> 16)
	t1 := uint16(in)
	t0 ^= ek[k]
	t0 = misty1FI(t0, ek[(k+5)%8+8])
	t0 ^= t1
	t1 ^= ek[(k+2)%8]
	t1 = misty1FI(t1, ek[(k+1)%8+8])
	t1 ^= t0
	t0 ^= ek[(k+7)%8]
	t0 = misty1FI(t0, ek[(k+3)%8+8])
	t0 ^= t1
	t1 ^= ek[(k+4)%8]
	return uint32(t1)<<16 | uint32(t0)
}

func (ek *misty1Key) fl(in uint32, k int) uint32 {
	d0 := uint16(in >> 16)
	d1 := uint16(in)
	if k%2 == 0 {
		d1 ^= d0 & ek[k/2]
		d0 ^= d1 | ek[(k/2+6)%8+8]
	} else {
		d1 ^= d0 & ek[((k-1)/2+2)%8+8]
		d0 ^= d1 | ek[((k-1)/2+4)%8]
	}
	return uint32(d0)<<16 | uint32(d1)
}

func (ek *misty1Key) flinv(in uint32, k int) uint32 {
	d0 := uint16(in >> 16)
	d1 := uint16(in)
	if k%2 == 0 {
		d0 ^= d1 | ek[(k/2+6)%8+8]
		d1 ^= d0 & ek[k/2]
	} else {
		d0 ^= d1 | ek[((k-1)/2+4)%8]
		d1 ^= d0 & ek[((k-1)/2+2)%8+8]
	}
	return uint32(d0)<<16 | uint32(d1)
}

func (ek *misty1Key) encrypt(p uint64) uint64 {
	d0 := uint32(p >> 32)
	d1 := uint32(p)
	for r := 0; r < 8; r += 2 {
		d0 = ek.fl(d0, r)
		d1 = ek.fl(d1, r+1)
		d1 ^= ek.fo(d0, r)
		d0 ^= ek.fo(d1, r+1)
	}
	d0 = ek.fl(d0, 8)
	d1 = ek.fl(d1, 9)
	return uint64(d1)<<32 | uint64(d0)
}

func (ek *misty1Key) decrypt(c uint64) uint64 {
	d0 := uint32(c)
	d1 := uint32(c >> 32)
	d0 = ek.flinv(d0, 8)
	d1 = ek.flinv(d1, 9)
	for r := 6; r >= 0; r -= 2 {
		d0 ^= ek.fo(d1, r+1)
		d1 ^= ek.fo(d0, r)
		d0 = ek.flinv(d0, r)
		d1 = ek.flinv(d1, r+1)
	}
	return uint64(d0)<<32 | uint64(d1)
}
