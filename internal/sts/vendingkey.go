package sts

import (
	"fmt"
	"log/slog"
)

// VendingKey is the utility's secret from which every meter's decoder key
// derives: 8 bytes for DKGA02, 20 bytes for DKGA04. It never prints: String,
// GoString, Format and LogValue all show "[redacted]", its fields are
// unexported (encoding/json sees nothing) and errors about it never echo it.
type VendingKey struct {
	b [20]byte
	n uint8
}

// NewVendingKey copies an 8-byte (DKGA02) or 20-byte (DKGA04) key.
func NewVendingKey(key []byte) (VendingKey, error) {
	if len(key) != 8 && len(key) != 20 {
		return VendingKey{}, fmt.Errorf("vending key: %d bytes, want 8 (DKGA02) or 20 (DKGA04)", len(key))
	}
	var k VendingKey
	k.n = uint8(copy(k.b[:], key))
	return k, nil
}

// ParseVendingKey reads a key in hex (16 or 40 digits; spaces and line ends
// are ignored, so a key file may end in a newline).
func ParseVendingKey(s string) (VendingKey, error) {
	b, err := parseKeyHex(s)
	if err != nil {
		return VendingKey{}, fmt.Errorf("vending key: %w", err)
	}
	if len(b) != 8 && len(b) != 20 {
		return VendingKey{}, fmt.Errorf("vending key: %d hex digits, want 16 (DKGA02) or 40 (DKGA04)", 2*len(b))
	}
	return NewVendingKey(b)
}

// Len is the key length in bytes: 8 or 20, 0 for the zero value.
func (k VendingKey) Len() int { return int(k.n) }

func (k VendingKey) bytes() []byte { return k.b[:k.n] }

// String hides the key.
func (k VendingKey) String() string { return "VendingKey(" + redacted + ")" }

// GoString hides the key from %#v.
func (k VendingKey) GoString() string { return k.String() }

// Format hides the key from every fmt verb.
func (k VendingKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// LogValue hides the key from log/slog.
func (k VendingKey) LogValue() slog.Value { return slog.StringValue(redacted) }
