package sts

import (
	"errors"
	"fmt"
)

// Decode errors. ErrCRC is what a meter shows as "invalid token".
var (
	ErrCRC = errors.New("CRC check failed: the token was made with another key (wrong meter, or the meter's key has changed) or was mistyped")
	// ErrUnknownKind reports a token that decrypts correctly but is of a
	// kind this package does not make (reserved class or subclass).
	ErrUnknownKind = errors.New("token of a kind this system does not make")
)

// Decoded is a token read back as a meter reads it.
type Decoded struct {
	Fields
	// Block is the plain 64-bit data block after decryption.
	Block uint64
	// CRC is the CRC field the token carries; CRCOK says whether it matches
	// the rest of the block.
	CRC   uint16
	CRCOK bool
}

// Decode decrypts t with the meter's decoder key and checks its CRC, as the
// meter does. Test tokens (class 1) are not encrypted and decode with a zero
// key. When the CRC does not match, Decode returns the decrypted block with
// CRCOK false and an error wrapping ErrCRC: the fields are then noise.
func Decode(t Token, key DecoderKey) (Decoded, error) {
	c := t.Class()
	block := t.block()
	if c > ClassManagement {
		return Decoded{Fields: Fields{Class: c}, Block: block}, fmt.Errorf("decode: class %d is reserved: %w", c, ErrUnknownKind)
	}
	if c != ClassTest {
		if key.IsZero() {
			return Decoded{Fields: Fields{Class: c}}, fmt.Errorf("decode %s token: %w", c, ErrNoKey)
		}
		block = key.decrypt(block)
	}
	d := Decoded{Block: block, CRC: uint16(block)}
	d.CRCOK = CRC(uint64(c)<<48|block>>16) == d.CRC
	f, known := fieldsOf(c, block)
	d.Fields = f
	if !d.CRCOK {
		return d, fmt.Errorf("decode %s token: %w", c, ErrCRC)
	}
	if !known {
		return d, fmt.Errorf("decode: class %d subclass %d: %w", c, d.Subclass, ErrUnknownKind)
	}
	return d, nil
}
