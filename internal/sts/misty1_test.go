package sts

import (
	"math/rand/v2"
	"testing"
)

// TestMISTY1RFC2994 is the test vector printed in RFC 2994 section 4.
func TestMISTY1RFC2994(t *testing.T) {
	ek := newMisty1Key(0x0011223344556677, 0x8899aabbccddeeff)
	for _, c := range []struct{ plain, cipher uint64 }{
		{0x0123456789abcdef, 0x8b1da5f56ab3d07c},
		{0xfedcba9876543210, 0x04b68240b13be95d},
	} {
		if got := ek.encrypt(c.plain); got != c.cipher {
			t.Errorf("encrypt(%016x) = %016x, want %016x", c.plain, got, c.cipher)
		}
		if got := ek.decrypt(c.cipher); got != c.plain {
			t.Errorf("decrypt(%016x) = %016x, want %016x", c.cipher, got, c.plain)
		}
	}
}

func TestMISTY1RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		ek := newMisty1Key(r.Uint64(), r.Uint64())
		p := r.Uint64()
		if got := ek.decrypt(ek.encrypt(p)); got != p {
			t.Fatalf("decrypt(encrypt(%016x)) = %016x", p, got)
		}
	}
}
