package sms

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Coding is the SMPP data_coding a text goes out with.
type Coding byte

const (
	// CodingGSM7 is the GSM 03.38 default alphabet (data_coding 0).
	CodingGSM7 Coding = 0x00
	// CodingUCS2 is UCS-2 / UTF-16BE (data_coding 8).
	CodingUCS2 Coding = 0x08
)

func (c Coding) String() string {
	switch c {
	case CodingGSM7:
		return "gsm7"
	case CodingUCS2:
		return "ucs2"
	}
	return fmt.Sprintf("coding(0x%02x)", byte(c))
}

// Part sizes. A concatenated part loses 6 octets of its 140 to the UDH:
// 7 septets in GSM 7-bit (with fill bits), 3 UTF-16 units in UCS-2.
const (
	GSM7Single = 160
	GSM7Multi  = 153
	UCS2Single = 70
	UCS2Multi  = 67
	// MaxParts is the most a concatenation UDH can count.
	MaxParts = 255
)

// ErrEmpty is returned for an empty text: an empty SMS is never intended.
var ErrEmpty = errors.New("message text is empty")

// Plan chooses the coding for text and splits it into parts ready for
// short_message: unpacked GSM 7-bit octets (no UDH) or UCS-2 big-endian.
// A text that fits one part (160 septets, 70 UTF-16 units) gives one part;
// longer texts give parts of at most 153 septets or 67 units, never
// cutting an escape pair or a surrogate pair.
func Plan(text string) (Coding, [][]byte, error) {
	if err := checkText(text); err != nil {
		return 0, nil, err
	}
	if n, ok := Septets(text); ok {
		parts, err := splitGSM7(text, n)
		return CodingGSM7, parts, err
	}
	parts, err := splitUCS2(text)
	return CodingUCS2, parts, err
}

// CountParts returns the coding and the number of billed parts text
// needs, without building them.
func CountParts(text string) (Coding, int, error) {
	c, parts, err := Plan(text)
	if err != nil {
		return 0, 0, err
	}
	return c, len(parts), nil
}

func checkText(text string) error {
	if text == "" {
		return ErrEmpty
	}
	if !utf8.ValidString(text) {
		return errors.New("message text is not valid UTF-8")
	}
	return nil
}

func splitGSM7(text string, septets int) ([][]byte, error) {
	if septets <= GSM7Single {
		b, err := EncodeGSM7(text)
		if err != nil {
			return nil, err
		}
		return [][]byte{b}, nil
	}
	var parts [][]byte
	cur := make([]byte, 0, GSM7Multi)
	for _, r := range text {
		var enc []byte
		if b, ok := gsmBasicIndex[r]; ok {
			enc = []byte{b}
		} else {
			enc = []byte{gsmEscape, gsmExtension[r]}
		}
		if len(cur)+len(enc) > GSM7Multi {
			parts = append(parts, cur)
			cur = make([]byte, 0, GSM7Multi)
		}
		cur = append(cur, enc...)
	}
	parts = append(parts, cur)
	return limitParts(parts)
}

func splitUCS2(text string) ([][]byte, error) {
	all := EncodeUCS2(text)
	if len(all) <= 2*UCS2Single {
		return [][]byte{all}, nil
	}
	var parts [][]byte
	for len(all) > 0 {
		n := min(2*UCS2Multi, len(all))
		// A high surrogate (D800-DBFF) as the last unit would leave its
		// low half for the next part: move it over whole.
		if n < len(all) && all[n-2] >= 0xD8 && all[n-2] <= 0xDB {
			n -= 2
		}
		parts = append(parts, all[:n:n])
		all = all[n:]
	}
	return limitParts(parts)
}

func limitParts(parts [][]byte) ([][]byte, error) {
	if len(parts) > MaxParts {
		return nil, fmt.Errorf("message text needs %d parts, more than the %d a concatenated SMS allows", len(parts), MaxParts)
	}
	return parts, nil
}
