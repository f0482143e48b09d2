package mpesa

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Daraja error codes worth acting on.
const (
	CodeInvalidToken        = "404.001.03" // refresh the token once and retry
	CodeMissingToken        = "401.002.01" // likewise
	CodeBadRequest          = "400.002.02" // the message names the bad field
	CodeInvalidAuth         = "400.008.01" // wrong consumer key or secret
	CodeInvalidGrantType    = "400.008.02"
	CodeNotFound            = "404.001.01"   // no such resource
	CodeInternal            = "500.001.1001" // wrong credentials, subscriber locked, or still processing
	CodeDuplicateOriginator = "500.002.1001" // OriginatorConversationID used before
	CodeSpikeArrest         = "500.003.02"   // too many requests per second: back off
	CodeQuotaViolation      = "500.003.03"   // too many requests per period: back off
	CodeURLsRegistered      = "500.003.1001" // C2B URLs already registered for the short code
)

// Messages that share CodeInternal but mean different things.
const (
	msgProcessing    = "The transaction is being processed"
	msgUnableToLock  = "Unable to lock subscriber"
	msgWrongCredents = "Wrong credentials"
)

// APIError is an error reply from Daraja: the {"requestId","errorCode",
// "errorMessage"} envelope, or a synchronous reply whose ResponseCode is not
// "0" (then Code is that ResponseCode).
type APIError struct {
	HTTPStatus int
	RequestID  string
	Code       string
	Message    string
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("daraja: ")
	if e.Code != "" {
		b.WriteString(e.Code + " ")
	}
	b.WriteString(e.Message)
	fmt.Fprintf(&b, " (HTTP %d", e.HTTPStatus)
	if e.RequestID != "" {
		b.WriteString(", request " + e.RequestID)
	}
	b.WriteString(")")
	return b.String()
}

func asAPIError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

// IsInvalidToken reports whether Daraja refused the access token (expired,
// replaced by a newer one, or missing). The client already refreshes and
// retries once; seeing it means the retry failed too.
func IsInvalidToken(err error) bool {
	e, ok := asAPIError(err)
	return ok && (e.Code == CodeInvalidToken || e.Code == CodeMissingToken)
}

// ShouldBackOff reports whether Daraja asked us to slow down: spike arrest,
// quota violation, or a subscriber locked by another request (wait at least
// a minute before trying that customer again).
func ShouldBackOff(err error) bool {
	e, ok := asAPIError(err)
	if !ok {
		return false
	}
	return e.Code == CodeSpikeArrest || e.Code == CodeQuotaViolation ||
		(e.Code == CodeInternal && strings.Contains(e.Message, msgUnableToLock))
}

// IsDuplicate reports whether Daraja refused a request as a repeat of an
// earlier one (a reused OriginatorConversationID): the first one stands.
func IsDuplicate(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.Code == CodeDuplicateOriginator
}

// IsAlreadyRegistered reports whether C2B URLs were registered before for
// the short code; in production changing them needs Safaricom's help.
func IsAlreadyRegistered(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.Code == CodeURLsRegistered
}

// IsProcessing reports whether an STK query found the push still waiting for
// the customer: ask again later, it is neither paid nor failed.
func IsProcessing(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.Code == CodeInternal && strings.Contains(e.Message, msgProcessing)
}

// decodeAPIError reads an error reply. Gateways in front of Daraja sometimes
// answer with HTML or nothing; the message then keeps the start of the body.
func decodeAPIError(status int, body []byte) *APIError {
	e := &APIError{HTTPStatus: status}
	if f, err := parseBody(body); err == nil {
		e.RequestID, e.Code, e.Message = f.str("requestId"), f.str("errorCode"), f.str("errorMessage")
	}
	if e.Message == "" {
		msg := strings.TrimSpace(string(body))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		if msg == "" {
			msg = http.StatusText(status)
		}
		e.Message = msg
	}
	return e
}
