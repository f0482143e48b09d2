package httpsms

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
)

// maxCallbackBody bounds a callback body; real ones are a few hundred bytes.
const maxCallbackBody = 64 << 10

// reportStates maps delivery-report statuses. Sent, Submitted and
// Buffered are on the way; the rest are final.
var reportStates = map[string]sms.State{
	"Sent":             sms.StateEnroute,
	"Submitted":        sms.StateEnroute,
	"Buffered":         sms.StateEnroute,
	"Success":          sms.StateDelivered,
	"Rejected":         sms.StateRejected,
	"Failed":           sms.StateUndeliverable,
	"AbsentSubscriber": sms.StateUndeliverable,
	"Expired":          sms.StateExpired,
}

// ParseDeliveryReport reads the gateway's delivery-report POST (form
// fields id, status, phoneNumber, networkCode, failureReason,
// retryCount). The receipt's ProviderID is the messageId Send returned;
// ErrCode is the failureReason; At is now, as the report carries no time.
// Any problem with the request gives an error that says what was wrong;
// the handler should answer it with 400.
func ParseDeliveryReport(r *http.Request) (sms.Receipt, error) {
	form, err := readForm(r)
	if err != nil {
		return sms.Receipt{}, fmt.Errorf("delivery report: %w", err)
	}
	id := strings.TrimSpace(form.Get("id"))
	if id == "" {
		return sms.Receipt{}, errors.New("delivery report: field id is missing")
	}
	status := strings.TrimSpace(form.Get("status"))
	if status == "" {
		return sms.Receipt{}, fmt.Errorf("delivery report %s: field status is missing", id)
	}
	state, ok := reportStates[status]
	if !ok {
		return sms.Receipt{}, fmt.Errorf("delivery report %s: unknown status %q", id, status)
	}
	return sms.Receipt{
		ProviderID: id,
		State:      state,
		ErrCode:    form.Get("failureReason"),
		At:         time.Now(),
		Raw:        form.Encode(),
	}, nil
}

// inboundDateLayouts are the forms seen in the date field.
var inboundDateLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"}

// ParseInbound reads the gateway's inbound-SMS POST (form fields date,
// from, id, linkId, text, to, networkCode). From loses its '+' to match
// the numbers used everywhere else; an unreadable date becomes now rather
// than losing the message.
func ParseInbound(r *http.Request) (sms.Inbound, error) {
	form, err := readForm(r)
	if err != nil {
		return sms.Inbound{}, fmt.Errorf("inbound sms: %w", err)
	}
	from := strings.TrimPrefix(strings.TrimSpace(form.Get("from")), "+")
	if from == "" {
		return sms.Inbound{}, errors.New("inbound sms: field from is missing")
	}
	if _, ok := form["text"]; !ok {
		return sms.Inbound{}, fmt.Errorf("inbound sms from %s: field text is missing", from)
	}
	at := time.Now()
	if d := strings.TrimSpace(form.Get("date")); d != "" {
		for _, layout := range inboundDateLayouts {
			if t, err := time.Parse(layout, d); err == nil {
				at = t
				break
			}
		}
	}
	return sms.Inbound{
		From:       from,
		To:         strings.TrimSpace(form.Get("to")),
		Text:       form.Get("text"),
		At:         at,
		ProviderID: strings.TrimSpace(form.Get("id")),
	}, nil
}

// readForm checks the method and content type and parses the body.
func readForm(r *http.Request) (url.Values, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("method %s, want POST", r.Method)
	}
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("content type %q, want application/x-www-form-urlencoded", ct)
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxCallbackBody)
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("form body: %w", err)
	}
	return r.PostForm, nil
}
