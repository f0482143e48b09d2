package sms

import (
	"fmt"
	"strings"
	"time"
)

// State is a message's delivery state as a receipt reports it. The zero
// value is StateUnknown.
type State int

// States follow the SMPP message_state values; HTTP gateways map theirs
// onto the same set.
const (
	StateUnknown State = iota
	StateEnroute
	StateDelivered
	StateExpired
	StateDeleted
	StateUndeliverable
	StateAccepted
	StateRejected
)

var stateNames = [...]string{
	StateUnknown:       "unknown",
	StateEnroute:       "enroute",
	StateDelivered:     "delivered",
	StateExpired:       "expired",
	StateDeleted:       "deleted",
	StateUndeliverable: "undeliverable",
	StateAccepted:      "accepted",
	StateRejected:      "rejected",
}

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("state(%d)", int(s))
	}
	return stateNames[s]
}

// Final reports whether no further receipt is expected after this one.
// Accepted is final in SMPP 3.4 (the message was handled on the
// subscriber's behalf); Enroute and Unknown are not.
func (s State) Final() bool {
	switch s {
	case StateDelivered, StateExpired, StateDeleted, StateUndeliverable, StateAccepted, StateRejected:
		return true
	}
	return false
}

// ParseState reads the state names used in SMPP receipt texts (DELIVRD,
// UNDELIV, ...) and the long forms (DELIVERED, ENROUTE, ...), in any case.
func ParseState(s string) (State, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "DELIVRD", "DELIVERED":
		return StateDelivered, nil
	case "EXPIRED":
		return StateExpired, nil
	case "DELETED":
		return StateDeleted, nil
	case "UNDELIV", "UNDELIVERABLE":
		return StateUndeliverable, nil
	case "ACCEPTD", "ACCEPTED":
		return StateAccepted, nil
	case "UNKNOWN":
		return StateUnknown, nil
	case "REJECTD", "REJECTED":
		return StateRejected, nil
	case "ENROUTE":
		return StateEnroute, nil
	}
	return StateUnknown, fmt.Errorf("unknown delivery state %q", s)
}

// Receipt is a delivery report for one submitted part (SMPP) or message
// (HTTP gateways).
type Receipt struct {
	// ProviderID is the provider's message id, normalised by the route so
	// that it equals the id the route returned in SubmitResult.
	ProviderID string
	State      State
	// ErrCode is the provider's error or failure reason, "" or "000" when none.
	ErrCode string
	// At is when the provider says the state was reached (done date), or
	// when the receipt arrived if the provider gave no usable time.
	At time.Time
	// Raw is the receipt as received, for the audit trail.
	Raw string
}
