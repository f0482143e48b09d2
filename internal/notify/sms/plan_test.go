package sms

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestSeptets(t *testing.T) {
	tests := []struct {
		text string
		want int
		ok   bool
	}{
		{"Habari", 6, true},
		{"€", 2, true},
		{"{}", 4, true},
		{"[~]|^\\\f", 14, true},
		{"Ümlaut Ñ ¿ § à", 14, true},
		{"’", 0, false},   // right single quotation mark: not GSM
		{"ç", 0, false},   // only Ç is in the default alphabet
		{"🙏", 0, false},   // emoji
		{"Δ_ΦΓ", 4, true}, // Greek capitals of the basic table
		{"", 0, true},
	}
	for _, tt := range tests {
		got, ok := Septets(tt.text)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Septets(%q) = %d, %v; want %d, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPlan(t *testing.T) {
	swahili := "Malipo yako ya KES 1,000.00 yamepokelewa. Tokeni: 1234 5678 9012 3456 7890. Asante kwa kutumia huduma zetu."
	tests := []struct {
		name      string
		text      string
		coding    Coding
		partSizes []int // octets per part
	}{
		{"swahili gsm", swahili, CodingGSM7, []int{len(swahili)}},
		{"euro two septets", "Bei €5", CodingGSM7, []int{7}},
		{"braces", "{token}", CodingGSM7, []int{9}},
		{"exactly 160", strings.Repeat("a", 160), CodingGSM7, []int{160}},
		{"161 splits 153+8", strings.Repeat("a", 161), CodingGSM7, []int{153, 8}},
		{"158 plus euro is 160", strings.Repeat("a", 158) + "€", CodingGSM7, []int{160}},
		{"159 plus euro is 161", strings.Repeat("a", 159) + "€", CodingGSM7, []int{153, 8}},
		// 152 septets then an extension char: the pair may not straddle 153.
		{"escape pair kept whole", strings.Repeat("a", 152) + "€" + strings.Repeat("b", 10), CodingGSM7, []int{152, 12}},
		{"306 is two full parts", strings.Repeat("x", 306), CodingGSM7, []int{153, 153}},
		{"307 is three", strings.Repeat("x", 307), CodingGSM7, []int{153, 153, 1}},
		{"smart quote forces ucs2", "Asante sana’", CodingUCS2, []int{24}},
		{"emoji is a surrogate pair", "Asante 🙏", CodingUCS2, []int{18}},
		{"exactly 70 ucs2", strings.Repeat("ы", 70), CodingUCS2, []int{140}},
		{"71 ucs2 splits 67+4", strings.Repeat("ы", 71), CodingUCS2, []int{134, 8}},
		// 66 units then an emoji (2 units): the pair moves to part two.
		{"surrogate pair kept whole", strings.Repeat("ы", 66) + "🙏" + strings.Repeat("ы", 10), CodingUCS2, []int{132, 24}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			coding, parts, err := Plan(tt.text)
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if coding != tt.coding {
				t.Errorf("coding = %v, want %v", coding, tt.coding)
			}
			var sizes []int
			for _, p := range parts {
				sizes = append(sizes, len(p))
			}
			if !equalInts(sizes, tt.partSizes) {
				t.Fatalf("part sizes = %v, want %v", sizes, tt.partSizes)
			}
			for i, p := range parts {
				if coding == CodingGSM7 && p[len(p)-1] == gsmEscape {
					t.Errorf("part %d ends with a lone escape", i)
				}
				if coding == CodingUCS2 && p[len(p)-2] >= 0xD8 && p[len(p)-2] <= 0xDB {
					t.Errorf("part %d ends with a high surrogate", i)
				}
			}
			// Every part decodes on its own, and the parts rebuild the text.
			var rebuilt strings.Builder
			for _, p := range parts {
				if coding == CodingGSM7 {
					rebuilt.WriteString(DecodeGSM7(p))
					continue
				}
				s, err := DecodeUCS2(p)
				if err != nil {
					t.Fatal(err)
				}
				if strings.ContainsRune(s, '\uFFFD') {
					t.Errorf("part decodes with a broken surrogate: %q", s)
				}
				rebuilt.WriteString(s)
			}
			if rebuilt.String() != tt.text {
				t.Errorf("parts rebuild %q, want %q", rebuilt.String(), tt.text)
			}
			_, n, err := CountParts(tt.text)
			if err != nil || n != len(tt.partSizes) {
				t.Errorf("CountParts = %d, %v; want %d", n, err, len(tt.partSizes))
			}
		})
	}
}

func TestPlanErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"empty", "", "empty"},
		{"invalid utf-8", "abc\xff", "not valid UTF-8"},
		{"too many parts", strings.Repeat("a", 153*255+1), "256 parts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Plan(tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Plan error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	if _, _, err := Plan(""); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty text error %v is not ErrEmpty", err)
	}
}

func TestEncodeGSM7(t *testing.T) {
	tests := []struct {
		text string
		want []byte
	}{
		{"@", []byte{0x00}},
		{"A€", []byte{0x41, 0x1B, 0x65}},
		{"{}", []byte{0x1B, 0x28, 0x1B, 0x29}},
		{"£$\n", []byte{0x01, 0x02, 0x0A}},
		{"ü", []byte{0x7E}},
	}
	for _, tt := range tests {
		got, err := EncodeGSM7(tt.text)
		if err != nil {
			t.Fatalf("EncodeGSM7(%q): %v", tt.text, err)
		}
		if !bytes.Equal(got, tt.want) {
			t.Errorf("EncodeGSM7(%q) = % x, want % x", tt.text, got, tt.want)
		}
	}
	if _, err := EncodeGSM7("ok 🙏"); err == nil || !strings.Contains(err.Error(), "byte 3") {
		t.Errorf("EncodeGSM7 of an emoji: err = %v, want it to say where", err)
	}
}

func TestDecodeGSM7Lenient(t *testing.T) {
	// Unknown escape code decodes as a space; a trailing escape is dropped.
	if got := DecodeGSM7([]byte{0x41, 0x1B, 0x01, 0x42, 0x1B}); got != "A B" {
		t.Errorf("DecodeGSM7 = %q, want %q", got, "A B")
	}
}

func TestUCS2(t *testing.T) {
	got := EncodeUCS2("a€🙏")
	want := []byte{0x00, 0x61, 0x20, 0xAC, 0xD8, 0x3D, 0xDE, 0x4F}
	if !bytes.Equal(got, want) {
		t.Errorf("EncodeUCS2 = % x, want % x", got, want)
	}
	if _, err := DecodeUCS2([]byte{0x00}); err == nil {
		t.Error("DecodeUCS2 of an odd length: no error")
	}
}

func TestParseState(t *testing.T) {
	tests := []struct {
		in    string
		want  State
		final bool
	}{
		{"DELIVRD", StateDelivered, true},
		{"delivrd", StateDelivered, true},
		{"UNDELIV", StateUndeliverable, true},
		{"EXPIRED", StateExpired, true},
		{"DELETED", StateDeleted, true},
		{"ACCEPTD", StateAccepted, true},
		{"REJECTD", StateRejected, true},
		{"UNKNOWN", StateUnknown, false},
		{"ENROUTE", StateEnroute, false},
	}
	for _, tt := range tests {
		got, err := ParseState(tt.in)
		if err != nil || got != tt.want || got.Final() != tt.final {
			t.Errorf("ParseState(%q) = %v (final %v), %v; want %v (final %v)", tt.in, got, got.Final(), err, tt.want, tt.final)
		}
	}
	if _, err := ParseState("BOGUS"); err == nil {
		t.Error("ParseState(BOGUS): no error")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
