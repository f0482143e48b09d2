package smpp

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/linxGnu/gosmpp/pdu"

	"github.com/mteja/mteja/internal/notify/sms"
)

// receiptKey finds the fields of a receipt text. Keys are matched without
// regard to case ("Text:"), with or without the space in "submit date:",
// and only at the start or after a space, so "text:" inside another
// field's value cannot start a field of its own before the real one.
var receiptKey = regexp.MustCompile(`(?i)(?:^|\s)(id|sub|dlvrd|submit ?date|done ?date|stat|err|text):`)

// receiptText holds the fields of an SMPP 3.4 Appendix B receipt text.
type receiptText struct {
	id, sub, dlvrd, submitDate, doneDate, stat, err, text string
}

// parseReceiptText splits "id:… sub:… … text:…" into its fields. Each
// value runs to the next key; text runs to the end. A field met twice
// keeps its first value, and text may hold anything.
func parseReceiptText(s string) receiptText {
	var r receiptText
	locs := receiptKey.FindAllStringSubmatchIndex(s, -1)
	seen := map[string]bool{}
	for i, loc := range locs {
		key := strings.ReplaceAll(strings.ToLower(s[loc[2]:loc[3]]), " ", "")
		end := len(s)
		if key != "text" && i+1 < len(locs) {
			end = locs[i+1][0]
		}
		val := strings.TrimSpace(s[loc[1]:end])
		if seen[key] {
			continue
		}
		seen[key] = true
		switch key {
		case "id":
			r.id = val
		case "sub":
			r.sub = val
		case "dlvrd":
			r.dlvrd = val
		case "submitdate":
			r.submitDate = val
		case "donedate":
			r.doneDate = val
		case "stat":
			r.stat = val
		case "err":
			r.err = val
		case "text":
			r.text = val
			return r // text is last by definition; keys inside it are text
		}
	}
	return r
}

// parseReceiptDate reads YYMMDDhhmm or YYMMDDhhmmss in loc.
func parseReceiptDate(s string, loc *time.Location) (time.Time, error) {
	switch len(s) {
	case 10:
		return time.ParseInLocation("0601021504", s, loc)
	case 12:
		return time.ParseInLocation("060102150405", s, loc)
	}
	return time.Time{}, fmt.Errorf("receipt date %q is neither 10 nor 12 digits", s)
}

// messageStates maps the message_state TLV to sms states.
var messageStates = map[byte]sms.State{
	1: sms.StateEnroute, 2: sms.StateDelivered, 3: sms.StateExpired, 4: sms.StateDeleted,
	5: sms.StateUndeliverable, 6: sms.StateAccepted, 7: sms.StateUnknown, 8: sms.StateRejected,
}

// receiptFields is what a deliver_sm receipt carries, before its id is
// matched against the ids we were given.
type receiptFields struct {
	rawID   string // as found: TLV first, then the id: field
	state   sms.State
	errCode string
	at      time.Time
	raw     string
}

// parseReceipt reads a deliver_sm with the receipt flag. The id comes from
// the receipted_message_id TLV when present (trailing NULs stripped), else
// from the text; the state from the message_state TLV when valid, else
// from stat:. now is used when the text has no usable done date.
func parseReceipt(text string, tlvs map[pdu.Tag]pdu.Field, loc *time.Location, now time.Time) (receiptFields, error) {
	rt := parseReceiptText(text)
	f := receiptFields{raw: text, at: now, errCode: rt.err}
	if tlv, ok := tlvs[pdu.TagReceiptedMessageID]; ok {
		f.rawID = strings.TrimSpace(strings.TrimRight(string(tlv.Data), "\x00"))
	}
	if f.rawID == "" {
		f.rawID = strings.TrimRight(rt.id, "\x00")
	}
	if f.rawID == "" {
		return f, errors.New("receipt has no message id (no receipted_message_id TLV, no id: field)")
	}
	stateSet := false
	if tlv, ok := tlvs[pdu.TagMessageStateOption]; ok && len(tlv.Data) == 1 {
		if st, ok := messageStates[tlv.Data[0]]; ok {
			f.state, stateSet = st, true
		}
	}
	if !stateSet {
		// An odd or missing stat still reports the receipt: Unknown, with
		// the text kept in Raw for whoever looks later.
		f.state, _ = sms.ParseState(rt.stat)
	}
	if f.errCode == "" {
		if tlv, ok := tlvs[pdu.TagNetworkErrorCode]; ok && len(tlv.Data) == 3 {
			f.errCode = fmt.Sprintf("net%d:%d", tlv.Data[0], int(tlv.Data[1])<<8|int(tlv.Data[2]))
		}
	}
	if rt.doneDate != "" {
		if at, err := parseReceiptDate(rt.doneDate, loc); err == nil {
			f.at = at
		}
	}
	return f, nil
}
