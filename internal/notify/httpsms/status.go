package httpsms

import (
	"net/http"
	"strings"

	"github.com/mteja/mteja/internal/notify/sms"
)

// Recipient status codes of the messaging reply.
const (
	StatusProcessed             = 100
	StatusSent                  = 101
	StatusQueued                = 102
	StatusRiskHold              = 401
	StatusInvalidSenderID       = 402
	StatusInvalidPhoneNumber    = 403
	StatusUnsupportedNumberType = 404
	StatusInsufficientBalance   = 405
	StatusUserInBlacklist       = 406
	StatusCouldNotRoute         = 407
	StatusDoNotDisturbRejection = 409
	StatusInternalServerError   = 500
	StatusGatewayError          = 501
	StatusRejectedByGateway     = 502
)

var statusNames = map[int]string{
	StatusProcessed: "Processed", StatusSent: "Sent", StatusQueued: "Queued",
	StatusRiskHold: "RiskHold", StatusInvalidSenderID: "InvalidSenderId",
	StatusInvalidPhoneNumber: "InvalidPhoneNumber", StatusUnsupportedNumberType: "UnsupportedNumberType",
	StatusInsufficientBalance: "InsufficientBalance", StatusUserInBlacklist: "UserInBlacklist",
	StatusCouldNotRoute: "CouldNotRoute", StatusDoNotDisturbRejection: "DoNotDisturbRejection",
	StatusInternalServerError: "InternalServerError", StatusGatewayError: "GatewayError",
	StatusRejectedByGateway: "RejectedByGateway",
}

// recipientClass maps a recipient statusCode to its sms error class, nil
// when the message was accepted. Codes about the number, the sender or
// the recipient's wishes are permanent; balance, routing and gateway
// faults pass with time or on another route. Unknown codes are temporary.
func recipientClass(code int) error {
	switch code {
	case StatusProcessed, StatusSent, StatusQueued:
		return nil
	case StatusRiskHold, StatusInvalidSenderID, StatusInvalidPhoneNumber, StatusUnsupportedNumberType,
		StatusUserInBlacklist, StatusDoNotDisturbRejection:
		return sms.ErrPermanent
	}
	return sms.ErrTemporary
}

// httpClass maps the HTTP status of the messaging reply; nil for 2xx.
func httpClass(code int) error {
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return sms.ErrBindFailed
	case code == http.StatusTooManyRequests:
		return sms.ErrThrottled
	case code == http.StatusGatewayTimeout:
		// A proxy gave up waiting: the gateway may have sent it.
		return sms.ErrUnknownOutcome
	case code >= 500:
		return sms.ErrTemporary
	}
	// Other 4xx: the request itself is wrong and will stay wrong.
	return sms.ErrPermanent
}

// messageClass classes a reply with no recipients by its Message text.
func messageClass(m string) error {
	switch {
	case strings.Contains(m, "InvalidSenderId"), strings.Contains(m, "InvalidPhoneNumber"),
		strings.Contains(m, "Blacklist"):
		return sms.ErrPermanent
	}
	return sms.ErrTemporary
}
