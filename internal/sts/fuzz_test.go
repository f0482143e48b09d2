package sts

import (
	"encoding/hex"
	"errors"
	"testing"
)

// FuzzParse: Parse never panics, and what it accepts formats back to itself.
func FuzzParse(f *testing.F) {
	for _, v := range loadVectors(f).Tokens {
		f.Add(v.Token)
	}
	for _, s := range []string{"", "2905 4347 1393 0985 1356", "7378-6976-2948-3820-6464", "99999999999999999999", "1234\x00", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrTokenLength) && !errors.Is(err, ErrTokenDigits) && !errors.Is(err, ErrTokenRange) {
				t.Fatalf("Parse(%q): unclassified error %v", s, err)
			}
			return
		}
		for _, form := range []string{tok.String(), tok.Grouped(), tok.Dashed()} {
			back, err := Parse(form)
			if err != nil || back != tok {
				t.Fatalf("Parse(%q) = %v, %v; want %v", form, back, err, tok)
			}
		}
	})
}

// FuzzDecode: Decode never panics on any token and key, and a token it
// accepts is exactly the token its fields make again.
func FuzzDecode(f *testing.F) {
	v := loadVectors(f)
	for _, tv := range v.Tokens {
		k, _ := hex.DecodeString(tv.DecoderKey)
		f.Add(tv.Token, k)
	}
	for _, kc := range v.KeyChanges {
		k, _ := hex.DecodeString(kc.Current)
		f.Add(kc.First, k)
		f.Add(kc.Second, k)
	}
	f.Add("00000000000000000000", []byte{})
	f.Fuzz(func(t *testing.T, s string, keyBytes []byte) {
		tok, err := Parse(s)
		if err != nil {
			return
		}
		var key DecoderKey
		switch len(keyBytes) {
		case 8:
			key, _ = NewDecoderKey(EA07, keyBytes)
		case 16:
			key, _ = NewDecoderKey(EA11, keyBytes)
		}
		d, err := Decode(tok, key)
		if err != nil {
			return
		}
		again, err := Issue(d.Fields, key)
		if err != nil {
			t.Fatalf("fields %+v decoded from %s do not issue: %v", d.Fields, tok, err)
		}
		if again != tok {
			t.Fatalf("decoded %s to %+v, which issues as %s", tok, d.Fields, again)
		}
	})
}
