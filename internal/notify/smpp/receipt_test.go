package smpp

import (
	"strings"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/pdu"

	"github.com/mteja/mteja/internal/notify/sms"
)

func TestParseReceipt(t *testing.T) {
	now := time.Date(2024, 11, 22, 15, 0, 0, 0, time.UTC)
	tlv := func(tag pdu.Tag, b ...byte) map[pdu.Tag]pdu.Field {
		return map[pdu.Tag]pdu.Field{tag: {Tag: tag, Data: b}}
	}
	tests := []struct {
		name    string
		text    string
		tlvs    map[pdu.Tag]pdu.Field
		id      string
		state   sms.State
		errCode string
		at      time.Time
	}{
		{
			name:  "standard",
			text:  "id:0123456789 sub:001 dlvrd:001 submit date:2411221430 done date:2411221431 stat:DELIVRD err:000 text:Tokeni yako ni 1234",
			id:    "0123456789",
			state: sms.StateDelivered, errCode: "000",
			at: time.Date(2024, 11, 22, 14, 31, 0, 0, time.UTC),
		},
		{
			name:  "capital Text, 12-digit dates, submitdate without space",
			text:  "id:7f3a sub:001 dlvrd:000 submitdate:241122143005 donedate:241122143107 stat:UNDELIV err:001 Text:hello",
			id:    "7f3a",
			state: sms.StateUndeliverable, errCode: "001",
			at: time.Date(2024, 11, 22, 14, 31, 7, 0, time.UTC),
		},
		{
			name:  "TLV id wins, trailing NUL stripped",
			text:  "id:12345 sub:001 dlvrd:001 submit date:2411221430 done date:2411221431 stat:DELIVRD err:000 text:",
			tlvs:  tlv(pdu.TagReceiptedMessageID, []byte("3039\x00")...),
			id:    "3039",
			state: sms.StateDelivered, errCode: "000",
			at: time.Date(2024, 11, 22, 14, 31, 0, 0, time.UTC),
		},
		{
			name:  "message_state TLV wins over stat",
			text:  "id:55 stat:DELIVRD err:000 done date:bad",
			tlvs:  tlv(pdu.TagMessageStateOption, 3),
			id:    "55",
			state: sms.StateExpired, errCode: "000",
			at: now, // unparseable done date: arrival time
		},
		{
			name:  "field names inside the text do not confuse",
			text:  "id:9 sub:001 dlvrd:001 submit date:2411221430 done date:2411221431 stat:REJECTD err:00B text:stat:DELIVRD id:1",
			id:    "9",
			state: sms.StateRejected, errCode: "00B",
			at: time.Date(2024, 11, 22, 14, 31, 0, 0, time.UTC),
		},
		{
			name:  "odd stat is reported as unknown",
			text:  "id:10 stat:WEIRD",
			id:    "10",
			state: sms.StateUnknown,
			at:    now,
		},
		{
			name:    "network error code TLV when err is missing",
			text:    "id:11 stat:UNDELIV",
			tlvs:    tlv(pdu.TagNetworkErrorCode, 3, 0x00, 0x22),
			id:      "11",
			state:   sms.StateUndeliverable,
			errCode: "net3:34",
			at:      now,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseReceipt(tt.text, tt.tlvs, time.UTC, now)
			if err != nil {
				t.Fatalf("parseReceipt: %v", err)
			}
			if f.rawID != tt.id || f.state != tt.state || f.errCode != tt.errCode || !f.at.Equal(tt.at) {
				t.Errorf("got id %q state %v err %q at %v; want %q %v %q %v", f.rawID, f.state, f.errCode, f.at, tt.id, tt.state, tt.errCode, tt.at)
			}
			if f.raw != tt.text {
				t.Errorf("raw = %q", f.raw)
			}
		})
	}
}

func TestParseReceiptWithoutID(t *testing.T) {
	_, err := parseReceipt("sub:001 stat:DELIVRD", nil, time.UTC, time.Now())
	if err == nil || !strings.Contains(err.Error(), "no message id") {
		t.Fatalf("err = %v, want a 'no message id' error", err)
	}
}

func TestParseReceiptDateZone(t *testing.T) {
	nairobi := time.FixedZone("EAT", 3*3600)
	f, err := parseReceipt("id:1 stat:DELIVRD done date:2411221431", nil, nairobi, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 11, 22, 11, 31, 0, 0, time.UTC); !f.at.Equal(want) {
		t.Errorf("at = %v, want %v", f.at.UTC(), want)
	}
}

func TestNormalizeID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1000000001", "1000000001"},
		{"0001234", "1234"},
		{"3b9aca01", "1000000001"}, // hex with letters
		{"3B9ACA01", "1000000001"},
		{"0x10", "16"},
		{"1234\x00", "1234"},
		{" 42 ", "42"},
		{"c9a1f2e0-5b7d-4e8e-9a35-1d2c3b4a5f60", "c9a1f2e0-5b7d-4e8e-9a35-1d2c3b4a5f60"},
		{"ABCDEF0123456789ABCDEF", "abcdef0123456789abcdef"}, // too long for 64 bits: kept
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeID(tt.in); got != tt.want {
			t.Errorf("NormalizeID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIDBookMatchesOtherBase(t *testing.T) {
	b := newIDBook(10)
	// The SMSC answered in hex, digits only: reported as written.
	if got := b.add("10000000"); got != "10000000" {
		t.Fatalf("add = %q", got)
	}
	// Its receipt says 268435456 = 0x10000000.
	if got, ok := b.match("268435456"); !ok || got != "10000000" {
		t.Errorf("match(decimal form) = %q, %v", got, ok)
	}
	if got, ok := b.match("10000000"); !ok || got != "10000000" {
		t.Errorf("match(same form) = %q, %v", got, ok)
	}
	if _, ok := b.match("999"); ok {
		t.Error("match of an unknown id succeeded")
	}
	// Old ids are forgotten once the book is full.
	for i := range 20 {
		b.add(string(rune('a'+i)) + "zz")
	}
	if _, ok := b.match("268435456"); ok {
		t.Error("evicted id still matches")
	}
}
