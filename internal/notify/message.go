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
	ID          string
	Recipient   string // MSISDN, international digits
	Channel     string
	Lane        string
	Template    string
	Language    string
	Body        string
	Ref         string // the vend, payment or other record it is about
	State       string
	Attempts    int
	Route       string
	ProviderID  string
	LastError   string
	QueuedAt    time.Time
	SubmittedAt time.Time
	DeliveredAt time.Time
	FinishedAt  time.Time
}
