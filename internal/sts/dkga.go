package sts

import (
	"crypto/cipher"
	"crypto/des"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
)

// DKGA is the decoder key generation algorithm.
type DKGA uint8

const (
	// DKGA02 derives a 64-bit decoder key from a 64-bit vending key with DES.
	DKGA02 DKGA = 2
	// DKGA04 derives a 64- or 128-bit decoder key from a 160-bit vending key
	// with HMAC-SHA-256 (NIST SP 800-108, feedback form, one block).
	DKGA04 DKGA = 4
)

// ParseDKGA accepts "02", "2", "DKGA02" and the same for 04.
func ParseDKGA(s string) (DKGA, error) {
	switch s {
	case "02", "2", "DKGA02", "dkga02":
		return DKGA02, nil
	case "04", "4", "DKGA04", "dkga04":
		return DKGA04, nil
	}
	return 0, fmt.Errorf("key generation algorithm %q: want 02 or 04", s)
}

func (g DKGA) String() string { return fmt.Sprintf("DKGA%02d", uint8(g)) }

// keyParams are the inputs of a decoder key besides the vending key.
type keyParams struct {
	drn  DRN
	kt   uint8
	sgc  uint32
	ti   uint8
	krn  uint8
	base BaseDate
	alg  Algorithm
	dkga DKGA
}

func (m Meter) keyParams() keyParams {
	return keyParams{drn: m.DRN, kt: m.KT, sgc: m.SGC, ti: m.TI, krn: m.KRN, base: m.BaseDate, alg: m.Algorithm, dkga: m.DKGA}
}

// dkga02 computes DK = DES_VK(D) XOR D XOR VK, D = PANBlock XOR CONTROLBlock.
func dkga02(vk cipher.Block, vkWord uint64, p keyParams) uint64 {
	var pan uint64 // "00727"+DRN(11) or "000"+DRN(13), digits read as hex nibbles
	prefix := "00727"
	if len(p.drn) == 13 {
		prefix = "000"
	}
	for i := 0; i < len(prefix); i++ {
		pan = pan<<4 | uint64(prefix[i]-'0')
	}
	for i := 0; i < len(p.drn); i++ {
		pan = pan<<4 | uint64(p.drn[i]-'0')
	}
	// KT(1) SGC(6) TI(2) KRN(1) FFFFFF, decimal digits read as hex nibbles.
	ctrl := uint64(p.kt)
	sgc := p.sgc
	for i := 5; i >= 0; i-- {
		ctrl = ctrl<<4 | uint64(sgc/pow10u32[i]%10)
	}
	ctrl = ctrl<<4 | uint64(p.ti/10)
	ctrl = ctrl<<4 | uint64(p.ti%10)
	ctrl = ctrl<<4 | uint64(p.krn)
	ctrl = ctrl<<24 | 0xFFFFFF
	d := pan ^ ctrl
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], d)
	vk.Encrypt(buf[8:], buf[:8])
	return binary.BigEndian.Uint64(buf[8:]) ^ d ^ vkWord
}

var pow10u32 = [6]uint32{1, 10, 100, 1000, 10000, 100000}

// dkga04Input is the SP 800-108 data: Label ‖ 0x00 ‖ Context ‖ L, where the
// label and context are counted lists of length-prefixed ASCII strings.
func dkga04Input(dst []byte, p keyParams) []byte {
	str := func(b []byte, s string) []byte {
		b = append(b, byte(len(s)))
		return append(b, s...)
	}
	digits := func(b []byte, v uint64, width int) []byte {
		b = append(b, byte(width))
		var d [20]byte
		for i := width - 1; i >= 0; i-- {
			d[i] = byte('0' + v%10)
			v /= 10
		}
		return append(b, d[:width]...)
	}
	dst = append(dst, 4)
	dst = str(dst, "04")
	dst = str(dst, p.base.Code())
	dst = str(dst, p.alg.Code())
	dst = digits(dst, uint64(p.ti), 2)
	dst = append(dst, 0)
	dst = append(dst, 4)
	dst = digits(dst, uint64(p.sgc), 6)
	dst = digits(dst, uint64(p.kt), 1)
	dst = digits(dst, uint64(p.krn), 1)
	dst = append(dst, 18)
	dst = p.drn.appendPAN(dst)
	return binary.BigEndian.AppendUint32(dst, uint32(8*p.alg.KeyBytes()))
}

// hmacKey holds a vending key's HMAC-SHA-256 pads, computed once, so that a
// derivation is two SHA-256 sums over stack buffers and allocates nothing.
type hmacKey struct {
	ipad, opad [sha256.BlockSize]byte
}

func newHMACKey(key []byte) *hmacKey {
	h := new(hmacKey)
	k := key
	if len(k) > sha256.BlockSize {
		s := sha256.Sum256(k)
		k = s[:]
	}
	for i := range sha256.BlockSize {
		var b byte
		if i < len(k) {
			b = k[i]
		}
		h.ipad[i] = b ^ 0x36
		h.opad[i] = b ^ 0x5c
	}
	return h
}

func (h *hmacKey) sum(data []byte) [sha256.Size]byte {
	var buf [sha256.BlockSize + 128]byte
	inner := sha256.Sum256(append(append(buf[:0], h.ipad[:]...), data...))
	return sha256.Sum256(append(append(buf[:0], h.opad[:]...), inner[:]...))
}

func dkga04(h *hmacKey, p keyParams) DecoderKey {
	var buf [96]byte
	mac := h.sum(dkga04Input(buf[:0], p))
	k := DecoderKey{alg: p.alg}
	if p.alg == EA11 {
		k.hi = binary.BigEndian.Uint64(mac[:8])
		k.lo = binary.BigEndian.Uint64(mac[8:16])
	} else {
		k.lo = binary.BigEndian.Uint64(mac[:8])
	}
	return k
}

// vendingKeyState is a vending key prepared for derivations.
type vendingKeyState struct {
	key  VendingKey
	des  cipher.Block // DKGA02 keys
	word uint64
	hmac *hmacKey // DKGA04 keys
}

func newVendingKeyState(vk VendingKey) (*vendingKeyState, error) {
	s := &vendingKeyState{key: vk}
	switch vk.Len() {
	case 8:
		b, err := des.NewCipher(vk.bytes())
		if err != nil {
			return nil, fmt.Errorf("vending key: %w", err)
		}
		s.des = b
		s.word = binary.BigEndian.Uint64(vk.bytes())
	case 20:
		s.hmac = newHMACKey(vk.bytes())
	default:
		return nil, fmt.Errorf("vending key: %d bytes, want 8 (DKGA02) or 20 (DKGA04)", vk.Len())
	}
	return s, nil
}

func (s *vendingKeyState) derive(p keyParams) (DecoderKey, error) {
	switch p.dkga {
	case DKGA02:
		if s.des == nil {
			return DecoderKey{}, fmt.Errorf("DKGA02 needs a 64-bit vending key, this one has %d bits", 8*s.key.Len())
		}
		if p.alg != EA07 {
			return DecoderKey{}, fmt.Errorf("DKGA02 makes 64-bit keys for EA07, not %s keys", p.alg)
		}
		return DecoderKey{alg: EA07, lo: dkga02(s.des, s.word, p)}, nil
	case DKGA04:
		if s.hmac == nil {
			return DecoderKey{}, fmt.Errorf("DKGA04 needs a 160-bit vending key, this one has %d bits", 8*s.key.Len())
		}
		return dkga04(s.hmac, p), nil
	}
	return DecoderKey{}, fmt.Errorf("key generation algorithm %d: want 02 or 04", uint8(p.dkga))
}

// DeriveDecoderKey computes a meter's decoder key from the vending key and
// the meter's parameters (DRN, SGC, TI, KRN, KT, base date, algorithm, DKGA).
func DeriveDecoderKey(vk VendingKey, m Meter) (DecoderKey, error) {
	if err := m.Validate(); err != nil {
		return DecoderKey{}, err
	}
	s, err := newVendingKeyState(vk)
	if err != nil {
		return DecoderKey{}, err
	}
	k, err := s.derive(m.keyParams())
	if err != nil {
		return DecoderKey{}, fmt.Errorf("decoder key for meter %s: %w", m.DRN, err)
	}
	return k, nil
}

// sgcString formats a supply group code as its 6 digits.
func sgcString(sgc uint32) string {
	s := strconv.FormatUint(uint64(sgc), 10)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}
