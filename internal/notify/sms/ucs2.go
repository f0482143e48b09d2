package sms

import (
	"fmt"
	"unicode/utf16"
)

// EncodeUCS2 returns text as UTF-16 big-endian, which is what handsets
// and SMSCs accept for data_coding 8 (characters beyond the BMP travel as
// surrogate pairs).
func EncodeUCS2(text string) []byte {
	units := utf16.Encode([]rune(text))
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// DecodeUCS2 reads UTF-16 big-endian. An odd length is an error; unpaired
// surrogates decode as U+FFFD.
func DecodeUCS2(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("decode ucs2: odd length %d", len(b))
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(units)), nil
}
