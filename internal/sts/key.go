package sts

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Algorithm is the token encryption algorithm.
type Algorithm uint8

const (
	// EA07 is the Standard Transfer Algorithm, with a 64-bit decoder key.
	EA07 Algorithm = 7
	// EA11 is MISTY1, with a 128-bit decoder key.
	EA11 Algorithm = 11
)

// ParseAlgorithm accepts "EA07", "07", "7", "STA" and "EA11", "11", "MISTY1".
func ParseAlgorithm(s string) (Algorithm, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "EA07", "07", "7", "STA":
		return EA07, nil
	case "EA11", "11", "MISTY1":
		return EA11, nil
	}
	return 0, fmt.Errorf("algorithm %q: want EA07 or EA11", s)
}

// Valid reports whether a is EA07 or EA11.
func (a Algorithm) Valid() bool { return a == EA07 || a == EA11 }

// Code is the two-digit form used in DKGA04 ("07", "11").
func (a Algorithm) Code() string {
	switch a {
	case EA07:
		return "07"
	case EA11:
		return "11"
	}
	return fmt.Sprintf("%02d", uint8(a))
}

func (a Algorithm) String() string { return "EA" + a.Code() }

// KeyBytes is the decoder key length the algorithm uses: 8 or 16.
func (a Algorithm) KeyBytes() int {
	if a == EA11 {
		return 16
	}
	return 8
}

// ErrNoKey reports an encrypted token handled without a decoder key.
var ErrNoKey = errors.New("no decoder key")

// DecoderKey is one meter's key, with the algorithm it serves. It prints as
// "[redacted]" through fmt; Hex gives the digits when they are really wanted.
// The zero value is "no key".
type DecoderKey struct {
	alg    Algorithm
	hi, lo uint64 // EA07 uses lo only
}

// NewDecoderKey takes 8 bytes for EA07 or 16 for EA11.
func NewDecoderKey(alg Algorithm, key []byte) (DecoderKey, error) {
	if !alg.Valid() {
		return DecoderKey{}, fmt.Errorf("decoder key: algorithm %d: want EA07 or EA11", uint8(alg))
	}
	if len(key) != alg.KeyBytes() {
		return DecoderKey{}, fmt.Errorf("decoder key: %d bytes, %s needs %d", len(key), alg, alg.KeyBytes())
	}
	k := DecoderKey{alg: alg}
	if alg == EA11 {
		k.hi = binary.BigEndian.Uint64(key)
		k.lo = binary.BigEndian.Uint64(key[8:])
	} else {
		k.lo = binary.BigEndian.Uint64(key)
	}
	return k, nil
}

// ParseDecoderKey reads a key in hex (16 digits for EA07, 32 for EA11).
// Errors never repeat the input: it may be a real key.
func ParseDecoderKey(alg Algorithm, s string) (DecoderKey, error) {
	b, err := parseKeyHex(s)
	if err != nil {
		return DecoderKey{}, fmt.Errorf("decoder key: %w", err)
	}
	if alg.Valid() && len(b) != alg.KeyBytes() {
		return DecoderKey{}, fmt.Errorf("decoder key: %d hex digits, %s needs %d", 2*len(b), alg, 2*alg.KeyBytes())
	}
	return NewDecoderKey(alg, b)
}

// parseKeyHex decodes hex digits, ignoring spaces, without echoing the input.
func parseKeyHex(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("%d hex digits: want an even number", len(s))
	}
	b := make([]byte, len(s)/2)
	for i := range len(s) {
		c := s[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return nil, fmt.Errorf("character %d is not a hex digit", i+1)
		}
		b[i/2] |= v << (4 * (1 - i%2))
	}
	return b, nil
}

// Algorithm is the algorithm the key serves.
func (k DecoderKey) Algorithm() Algorithm { return k.alg }

// IsZero reports whether k is the zero value (no key).
func (k DecoderKey) IsZero() bool { return k == DecoderKey{} }

// Bytes returns the key, 8 or 16 bytes.
func (k DecoderKey) Bytes() []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, k.hi)
	binary.BigEndian.PutUint64(b[8:], k.lo)
	return b[16-k.alg.KeyBytes():]
}

// Hex returns the key in upper-case hex, for the places that must show it.
func (k DecoderKey) Hex() string {
	if k.alg == EA11 {
		return fmt.Sprintf("%016X%016X", k.hi, k.lo)
	}
	return fmt.Sprintf("%016X", k.lo)
}

// Half returns the high (true) or low 32 bits of a 64-bit key, as carried by
// the two key change tokens.
func (k DecoderKey) half(high bool) uint32 {
	if high {
		return uint32(k.lo >> 32)
	}
	return uint32(k.lo)
}

func (k DecoderKey) encrypt(block uint64) uint64 {
	if k.alg == EA11 {
		ek := newMisty1Key(k.hi, k.lo)
		return ek.encrypt(block)
	}
	return realSTA.encrypt(block, k.lo)
}

func (k DecoderKey) decrypt(block uint64) uint64 {
	if k.alg == EA11 {
		ek := newMisty1Key(k.hi, k.lo)
		return ek.decrypt(block)
	}
	return realSTA.decrypt(block, k.lo)
}

const redacted = "[redacted]"

// String hides the key: keys must not reach logs by accident.
func (k DecoderKey) String() string { return "DecoderKey(" + k.alg.String() + ", " + redacted + ")" }

// GoString hides the key from %#v.
func (k DecoderKey) GoString() string { return k.String() }

// Format hides the key from every fmt verb.
func (k DecoderKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }
