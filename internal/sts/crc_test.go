package sts

import "testing"

// crcBitwise is the CRC as STS describes it, one bit at a time, to check the
// table-driven version.
func crcBitwise(v uint64) uint16 {
	c := uint16(0xFFFF)
	for i := 48; i >= 0; i -= 8 {
		c ^= uint16(byte(v >> i))
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xA001
			} else {
				c >>= 1
			}
		}
	}
	return c<<8 | c>>8
}

func TestCRCMatchesBitwise(t *testing.T) {
	for _, v := range []uint64{0, 1, 0x000B19EB230100, 1<<50 - 1, 0x2123456789AB} {
		if got, want := CRC(v), crcBitwise(v); got != want {
			t.Errorf("CRC(%014X) = %04X, bitwise %04X", v, got, want)
		}
	}
}
