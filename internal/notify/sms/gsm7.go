package sms

import (
	"fmt"
	"strings"
)

// gsmEscape introduces a character of the extension table.
const gsmEscape = 0x1B

// gsmBasic is the GSM 03.38 default alphabet, indexed by septet value.
// Position 0x1B is the escape to the extension table and never stands for
// a character itself.
var gsmBasic = [128]rune{
	'@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
	'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', -1, 'Æ', 'æ', 'ß', 'É',
	' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	'¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
	'¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
}

// gsmExtension maps characters of the extension table to the septet that
// follows the escape. Each costs two septets.
var gsmExtension = map[rune]byte{
	'\f': 0x0A,
	'^':  0x14,
	'{':  0x28,
	'}':  0x29,
	'\\': 0x2F,
	'[':  0x3C,
	'~':  0x3D,
	']':  0x3E,
	'|':  0x40,
	'€':  0x65,
}

var (
	gsmBasicIndex = func() map[rune]byte {
		m := make(map[rune]byte, 128)
		for i, r := range gsmBasic {
			if r >= 0 {
				m[r] = byte(i)
			}
		}
		return m
	}()
	gsmExtensionDecode = func() map[byte]rune {
		m := make(map[byte]rune, len(gsmExtension))
		for r, b := range gsmExtension {
			m[b] = r
		}
		return m
	}()
)

// gsmSeptets returns how many septets r takes in the default alphabet:
// 1, 2 for an extension character, or 0 when r is not in GSM 03.38.
func gsmSeptets(r rune) int {
	if _, ok := gsmBasicIndex[r]; ok {
		return 1
	}
	if _, ok := gsmExtension[r]; ok {
		return 2
	}
	return 0
}

// Septets counts the septets text takes in the GSM 03.38 default alphabet,
// extension characters counting two. ok is false when some character is
// outside the alphabet, so the text needs UCS-2.
func Septets(text string) (n int, ok bool) {
	for _, r := range text {
		s := gsmSeptets(r)
		if s == 0 {
			return 0, false
		}
		n += s
	}
	return n, true
}

// IsGSM7 reports whether text can go out in the GSM 03.38 default alphabet.
func IsGSM7(text string) bool {
	_, ok := Septets(text)
	return ok
}

// EncodeGSM7 returns text as unpacked GSM 7-bit: one octet per septet, an
// extension character as the escape octet followed by its code. This is
// the form SMPP carries with data_coding 0; the SMSC packs it.
func EncodeGSM7(text string) ([]byte, error) {
	out := make([]byte, 0, len(text))
	for i, r := range text {
		if b, ok := gsmBasicIndex[r]; ok {
			out = append(out, b)
			continue
		}
		if b, ok := gsmExtension[r]; ok {
			out = append(out, gsmEscape, b)
			continue
		}
		return nil, fmt.Errorf("encode gsm7: character %q at byte %d is not in the GSM 03.38 alphabet", r, i)
	}
	return out, nil
}

// DecodeGSM7 reads unpacked GSM 7-bit octets. Unknown escape codes decode
// as a space, as 3GPP TS 23.038 asks of receivers; the top bit is ignored.
func DecodeGSM7(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i] & 0x7F
		if c != gsmEscape {
			sb.WriteRune(gsmBasic[c])
			continue
		}
		if i+1 == len(b) {
			// A lone trailing escape carries nothing.
			break
		}
		i++
		if r, ok := gsmExtensionDecode[b[i]&0x7F]; ok {
			sb.WriteRune(r)
		} else {
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}
