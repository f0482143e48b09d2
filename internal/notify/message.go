// Package notify is the outbox: every message Mteja sends is first a durable
// row, written in the same transaction as the state change that causes it
// (a vend, an incident), and a delivery worker sends it afterwards. A crash
// between the two loses nothing: the row is still queued.
package notify

import (
	"time"
)

// Lanes order delivery: a token never waits behind bulk traffic.
const (
	LaneToken         = "token"         // token SMS and delay notices
	LaneOTP           = "otp"           // one-time login codes
	LaneTransactional = "transactional" // receipts, fault references, replies to keywords
	LaneBulk          = "bulk"          // outage broadcasts, campaigns
)

// Lanes in priority order.
var Lanes = []string{LaneToken, LaneOTP, LaneTransactional, LaneBulk}

// WithheldBody is what an OTP-lane message's body becomes once the message
// has left the queue (submitted, its outcome known or not; failed; expired):
// a login code is then readable nowhere, in no table, backup or care
// screen. Nothing needs the text again: an OTP is never resent after its
// route may have taken it, and a customer whose code did not come asks for
// a new one.
const WithheldBody = "[login code withheld]"

// withhold is the SET clause that withholds the body, in the statement
// that moves a message out of the queue, so that no commit keeps a sent
// code readable.
const withhold = `body = CASE WHEN lane = '` + LaneOTP + `' THEN '` + WithheldBody + `' ELSE body END`

// Message states.
const (
	StateQueued    = "queued"
	StateSubmitted = "submitted"
	StateDelivered = "delivered"
	StateFailed    = "failed"
	StateExpired   = "expired"
)

// ChannelSMS is the only channel so far; e-mail and push come later.
const ChannelSMS = "sms"

// Message is one outgoing message.
type Message struct {
	ID         string
	Recipient  string // MSISDN, international digits
	Channel    string
	Lane       string
	Template   string
	Language   string
	Body       string
	Ref        string // the vend, payment or other record it is about
	State      string
	Attempts   int
	Route      string
	ProviderID string
	LastError  string
	// AvoidRoute is a route to use only when no other can take the
	// message: a delay notice goes by another route than the late message.
	AvoidRoute  string
	QueuedAt    time.Time
	SubmittedAt time.Time
	DeliveredAt time.Time
	FinishedAt  time.Time
	// NoticeAt is when the watchdog acted on this message being late (a
	// delay notice is itself marked at birth, so it gets none).
	NoticeAt time.Time
	// NotBefore holds a queued message until then (quiet hours, a notice
	// timed ahead of planned work); zero sends it as soon as it can go.
	NotBefore time.Time

	sendingRoute string // the route a send was in flight on (see claim)
	nextAttempt  int64  // stored next_attempt_at, for backoff
}

// Priority ranks a lane: 0 is the most urgent. Unknown lanes rank with bulk.
func Priority(lane string) int {
	for i, l := range Lanes {
		if l == lane {
			return i
		}
	}
	return len(Lanes) - 1
}

func knownLane(lane string) bool {
	for _, l := range Lanes {
		if l == lane {
			return true
		}
	}
	return false
}
