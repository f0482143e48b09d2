package smpp

import (
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/pdu"
)

// FuzzReceipt feeds arbitrary deliver_sm texts, with and without the
// receipted_message_id TLV, to the receipt parser: it must never panic, and
// an id it reports must survive normalisation without panicking either.
func FuzzReceipt(f *testing.F) {
	for _, s := range []string{
		"id:0123456789 sub:001 dlvrd:001 submit date:2411221430 done date:2411221431 stat:DELIVRD err:000 text:Token",
		"id:1A2B3C sub:001 dlvrd:000 submitdate:241122143000 donedate:241122143100 stat:UNDELIV err:001 Text:x",
		"id: stat:", "", "id:\x00\x00 stat:EXPIRED", "stat:DELIVRD", "id:99999999999999999999999999 stat:ACCEPTD",
	} {
		f.Add(s, "")
		f.Add(s, "abc\x00")
	}
	f.Fuzz(func(t *testing.T, text, tlvID string) {
		tlvs := map[pdu.Tag]pdu.Field{}
		if tlvID != "" {
			tlvs[pdu.TagReceiptedMessageID] = pdu.Field{Tag: pdu.TagReceiptedMessageID, Data: []byte(tlvID)}
		}
		r, err := parseReceipt(text, tlvs, time.UTC, time.Unix(0, 0))
		if err == nil {
			NormalizeID(r.rawID)
		}
		NormalizeID(text)
	})
}
