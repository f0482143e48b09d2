package sts

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestTokenFormats(t *testing.T) {
	tok, err := Parse("29054347139309851356")
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.String(); got != "29054347139309851356" {
		t.Errorf("String = %s", got)
	}
	if got := tok.Grouped(); got != "2905 4347 1393 0985 1356" {
		t.Errorf("Grouped = %s", got)
	}
	if got := tok.Dashed(); got != "2905-4347-1393-0985-1356" {
		t.Errorf("Dashed = %s", got)
	}
	if got := string(tok.AppendDigits([]byte("token "))); got != "token 29054347139309851356" {
		t.Errorf("AppendDigits = %s", got)
	}
	if tok.Class() != ClassCredit {
		t.Errorf("Class = %v", tok.Class())
	}
}

func TestParse(t *testing.T) {
	ok := []struct{ in, want string }{
		{"29054347139309851356", "29054347139309851356"},
		{"2905 4347 1393 0985 1356", "29054347139309851356"},
		{"2905-4347-1393-0985-1356", "29054347139309851356"},
		{" 2905\t4347 - 1393 0985 1356 ", "29054347139309851356"},
		{"29054347139309851356\r\n", "29054347139309851356"},
		{"00000000000000000000", "00000000000000000000"},
		{"73786976294838206463", "73786976294838206463"}, // 2^66-1
	}
	for _, tt := range ok {
		tok, err := Parse(tt.in)
		if err != nil || tok.String() != tt.want {
			t.Errorf("Parse(%q) = %s, %v; want %s", tt.in, tok, err, tt.want)
		}
	}
	bad := []struct {
		in   string
		want error
	}{
		{"", ErrTokenLength},
		{"2905 4347 1393 0985 135", ErrTokenLength},
		{"2905 4347 1393 0985 13566", ErrTokenLength},
		{"2905 4347 1393 0985 135O", ErrTokenDigits},
		{"2905.4347.1393.0985.1356", ErrTokenDigits},
		{"２９０５", ErrTokenDigits},
		{"73786976294838206464", ErrTokenRange}, // 2^66
		{"99999999999999999999", ErrTokenRange},
	}
	for _, tt := range bad {
		if _, err := Parse(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("Parse(%q): err = %v, want %v", tt.in, err, tt.want)
		}
	}
}

func TestTransposeRoundTrip(t *testing.T) {
	for _, c := range []Class{ClassCredit, ClassTest, ClassManagement, 3} {
		for _, block := range []uint64{0, 1<<64 - 1, 3 << 27, 0x0123456789ABCDEF} {
			tok := transpose(c, block)
			if tok.Class() != c || tok.block() != block {
				t.Errorf("transpose(%d, %016X): class %d, block %016X", c, block, tok.Class(), tok.block())
			}
			if back, err := Parse(tok.String()); err != nil || back != tok {
				t.Errorf("Parse(String()) = %v, %v", back, err)
			}
		}
	}
}

func TestTokenJSON(t *testing.T) {
	tok, _ := Parse("29054347139309851356")
	b, err := json.Marshal(struct{ Token Token }{tok})
	if err != nil || string(b) != `{"Token":"29054347139309851356"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var back struct{ Token Token }
	if err := json.Unmarshal([]byte(`{"Token":"2905-4347-1393-0985-1356"}`), &back); err != nil || back.Token != tok {
		t.Errorf("Unmarshal = %v, %v", back.Token, err)
	}
	if err := json.Unmarshal([]byte(`{"Token":"2905"}`), &back); !errors.Is(err, ErrTokenLength) {
		t.Errorf("Unmarshal of 4 digits: err = %v", err)
	}
}
