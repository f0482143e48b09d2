package sts

import (
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// Token is a 66-bit STS token as the customer types it: the encrypted (or,
// for class 1, plain) 64-bit block with the class transposed in. Block bits
// 28 and 27 travel as token bits 65 and 64, and the class takes their places.
// The zero value is a valid number but not a useful token.
type Token struct {
	hi uint8  // token bits 65..64
	lo uint64 // token bits 63..0
}

// Token digit errors. Parse wraps them with the detail of what was wrong.
var (
	ErrTokenLength = errors.New("a token has 20 digits")
	ErrTokenDigits = errors.New("a token has only digits (spaces and dashes may separate them)")
	ErrTokenRange  = errors.New("number too large to be a token")
)

// transpose puts the class into block bits 28..27 and returns the token.
func transpose(c Class, block uint64) Token {
	return Token{
		hi: uint8(block >> 27 & 3),
		lo: block&^(3<<27) | uint64(c&3)<<27,
	}
}

// Class is the token's class, which travels in clear.
func (t Token) Class() Class { return Class(t.lo >> 27 & 3) }

// block returns the 64-bit block with the class transposed back out.
func (t Token) block() uint64 {
	return t.lo&^(3<<27) | uint64(t.hi&3)<<27
}

const tenDigits = 10_000_000_000

// AppendDigits appends the 20 digits to dst, for callers that format many
// tokens into one buffer without allocating.
func (t Token) AppendDigits(dst []byte) []byte {
	// The number is below 2^66 < 10^20, so splitting at 10^10 leaves two
	// halves of at most 10 digits each.
	q, r := bits.Div64(uint64(t.hi), t.lo, tenDigits)
	dst = appendPadded(dst, q)
	return appendPadded(dst, r)
}

func appendPadded(dst []byte, v uint64) []byte {
	var b [10]byte
	for i := 9; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[:]...)
}

// String is the 20 digits without separators, as stored and as sent to
// machines.
func (t Token) String() string {
	var b [20]byte
	return string(t.AppendDigits(b[:0]))
}

// Grouped is the form for people: "2905 4347 1393 0985 1356".
func (t Token) Grouped() string { return t.group(' ') }

// Dashed is the grouped form with dashes: "2905-4347-1393-0985-1356".
func (t Token) Dashed() string { return t.group('-') }

func (t Token) group(sep byte) string {
	var d [20]byte
	t.AppendDigits(d[:0])
	var b [24]byte
	n := 0
	for i, c := range d {
		if i > 0 && i%4 == 0 {
			b[n] = sep
			n++
		}
		b[n] = c
		n++
	}
	return string(b[:n])
}

// Parse reads a token typed by a person: 20 digits, optionally separated by
// spaces or dashes. Whether it is a valid token for a meter shows only after
// decryption with that meter's key (see Decode).
func Parse(s string) (Token, error) {
	var d [20]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n < len(d) {
				d[n] = c - '0'
			}
			n++
		case c == ' ' || c == '-' || c == '\t' || c == '\n' || c == '\r':
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return Token{}, fmt.Errorf("token: character %q at position %d: %w", r, i+1, ErrTokenDigits)
		}
	}
	if n != len(d) {
		return Token{}, fmt.Errorf("token: %d digits: %w", n, ErrTokenLength)
	}
	var q, r uint64
	for i := range 10 {
		q = q*10 + uint64(d[i])
		r = r*10 + uint64(d[10+i])
	}
	hi, lo := bits.Mul64(q, tenDigits)
	lo, carry := bits.Add64(lo, r, 0)
	hi += carry
	if hi > 3 {
		return Token{}, fmt.Errorf("token: above 73786976294838206463: %w", ErrTokenRange)
	}
	return Token{hi: uint8(hi), lo: lo}, nil
}

// MarshalText writes the 20 digits, so a Token travels in JSON as a string.
func (t Token) MarshalText() ([]byte, error) { return t.AppendDigits(make([]byte, 0, 20)), nil }

// UnmarshalText reads a token as Parse does.
func (t *Token) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*t = p
	return nil
}
