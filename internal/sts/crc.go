package sts

// The STS CRC is x^16+x^15+x^2+1 over class|data, preset 0xFFFF: the same
// arithmetic as CRC-16/MODBUS (reflected polynomial 0xA001, no final XOR),
// with the two result bytes swapped into the field.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xA001
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}()

// CRC returns the 16-bit CRC field for the 50 bits class|subclass|...|amount,
// given right-aligned in v (bits 49..0). The bits are taken as 7 bytes,
// big-endian, the top ones zero.
func CRC(v uint64) uint16 {
	c := uint16(0xFFFF)
	for i := 48; i >= 0; i -= 8 {
		c = c>>8 ^ crcTable[byte(c)^byte(v>>i)]
	}
	return c<<8 | c>>8
}
