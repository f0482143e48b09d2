package sts

import (
	"fmt"
)

// Issue builds the block from f, encrypts it with key (class 0 and 2; test
// tokens are not encrypted and need no key) and returns the token.
func Issue(f Fields, key DecoderKey) (Token, error) {
	block, err := f.Block()
	if err != nil {
		return Token{}, err
	}
	if f.Class != ClassTest {
		if key.IsZero() {
			return Token{}, fmt.Errorf("%s token: %w", Describe(f.Class, f.Subclass), ErrNoKey)
		}
		block = key.encrypt(block)
	}
	return transpose(f.Class, block), nil
}

// KeyChange are the parameters of the meter's new key that travel in the
// two key change tokens.
type KeyChange struct {
	KEN      uint8 // key expiry number, NoKeyExpiry for none
	KRN      uint8 // 1-9
	KT       uint8 // 0-3
	TI       uint8 // 0-99
	Rollover bool  // the meter clears its TID memory: set when the base date changes
}

// KeyChangeTokens makes the 1st and 2nd section tokens that move a meter
// from key current to key next, both encrypted with current. Only 64-bit
// new keys (EA07) are supported: a 128-bit key needs two more sections for
// which no public test figures exist yet.
func KeyChangeTokens(current, next DecoderKey, kc KeyChange) ([2]Token, error) {
	if next.Algorithm() != EA07 {
		return [2]Token{}, fmt.Errorf("key change: new %s key: only changes to 64-bit (EA07) keys are supported", next.Algorithm())
	}
	if kc.KRN < 1 || kc.KRN > 9 || kc.KT > 3 || kc.TI > 99 {
		return [2]Token{}, fmt.Errorf("key change: KRN %d (1-9), key type %d (0-3) or tariff index %d (0-99) out of range", kc.KRN, kc.KT, kc.TI)
	}
	first := Fields{
		Class: ClassManagement, Subclass: SetKey1,
		KENHalf: kc.KEN >> 4, KRN: kc.KRN, Rollover: kc.Rollover, KT: kc.KT,
		KeyHalf: next.half(true),
	}
	second := Fields{
		Class: ClassManagement, Subclass: SetKey2,
		KENHalf: kc.KEN & 15, TI: kc.TI,
		KeyHalf: next.half(false),
	}
	var out [2]Token
	var err error
	if out[0], err = Issue(first, current); err != nil {
		return [2]Token{}, fmt.Errorf("key change: %w", err)
	}
	if out[1], err = Issue(second, current); err != nil {
		return [2]Token{}, fmt.Errorf("key change: %w", err)
	}
	return out, nil
}
