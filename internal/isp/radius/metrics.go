package radius

import (
	"sync"
	"sync/atomic"
	"time"
)

// Kind is which side of the server a packet came to.
type Kind string

const (
	KindAuth Kind = "auth" // Access-Request, UDP 1812
	KindAcct Kind = "acct" // Accounting-Request, UDP 1813
)

// Outcome is how the server answered a packet.
type Outcome string

const (
	OutcomeAccept       Outcome = "accept"        // Access-Accept
	OutcomeWalledGarden Outcome = "walled_garden" // Access-Accept into the pay-now list
	OutcomeReject       Outcome = "reject"        // Access-Reject
	OutcomeAccounted    Outcome = "accounted"     // Accounting-Response, after billing recorded it
	OutcomeCached       Outcome = "cached"        // a retransmit answered from the reply cache
	OutcomeStatus       Outcome = "status"        // a Status-Server answered: the server is up
)

// DropReason is why a packet was left unanswered. RADIUS has no error
// reply: a NAS that gets nothing retransmits, then tries its next server.
type DropReason string

const (
	DropUnknownNAS    DropReason = "unknown_nas"         // no NAS at the source address, or one without a secret
	DropMalformed     DropReason = "malformed"           // not a RADIUS packet, or a bad attribute
	DropWrongCode     DropReason = "wrong_code"          // e.g. an Accounting-Request on the auth port
	DropNoMsgAuth     DropReason = "no_message_auth"     // Access-Request or Status-Server without Message-Authenticator
	DropBadMsgAuth    DropReason = "bad_message_auth"    // Message-Authenticator does not match: wrong secret or forged
	DropBadAuth       DropReason = "bad_authenticator"   // Accounting-Request's authenticator does not match: wrong secret
	DropNoPassword    DropReason = "no_password"         // neither User-Password nor CHAP-Password (e.g. EAP, unsupported)
	DropInFlight      DropReason = "in_flight"           // a retransmit of a request still being decided
	DropOverload      DropReason = "overload"            // the queue to the workers was full
	DropDeciderError  DropReason = "decider_error"       // billing failed or timed out: the NAS will retransmit
	DropReplyTooLarge DropReason = "reply_not_encodable" // a decision's text does not fit an attribute
)

// Metrics receives what the server counts. The app implements it with
// Prometheus; Counters keeps plain numbers. Calls come from many
// goroutines at once.
type Metrics interface {
	// Received counts every packet that arrived, before any check.
	Received(k Kind)
	// Answered counts a reply sent; took runs from the packet's arrival.
	Answered(k Kind, o Outcome, took time.Duration)
	// Dropped counts a packet left unanswered.
	Dropped(k Kind, r DropReason)
	// ChangeSent counts one attempt at a CoA or Disconnect and how it
	// ended: "ack", "nak", "timeout" or "error".
	ChangeSent(disconnect bool, result string)
}

// Counters is a Metrics of plain atomic counts, for tests, the benchmark
// and a quick look. The zero value is ready.
type Counters struct {
	Requests    [2]atomic.Int64 // by kind: 0 auth, 1 acct
	Accepts     atomic.Int64    // Accept and WalledGarden
	Rejects     atomic.Int64
	Accounted   atomic.Int64
	Cached      atomic.Int64
	Statuses    atomic.Int64 // Status-Server answered
	LatencyNano atomic.Int64 // sum over answered packets, for a mean
	Changes     atomic.Int64 // CoA and Disconnect attempts

	mu    sync.Mutex
	drops map[DropReason]int64
}

func kindIndex(k Kind) int {
	if k == KindAcct {
		return 1
	}
	return 0
}

func (c *Counters) Received(k Kind) { c.Requests[kindIndex(k)].Add(1) }

func (c *Counters) Answered(k Kind, o Outcome, took time.Duration) {
	switch o {
	case OutcomeAccept, OutcomeWalledGarden:
		c.Accepts.Add(1)
	case OutcomeReject:
		c.Rejects.Add(1)
	case OutcomeAccounted:
		c.Accounted.Add(1)
	case OutcomeCached:
		c.Cached.Add(1)
	case OutcomeStatus:
		c.Statuses.Add(1)
	}
	c.LatencyNano.Add(int64(took))
}

func (c *Counters) Dropped(k Kind, r DropReason) {
	c.mu.Lock()
	if c.drops == nil {
		c.drops = make(map[DropReason]int64)
	}
	c.drops[r]++
	c.mu.Unlock()
}

func (c *Counters) ChangeSent(bool, string) { c.Changes.Add(1) }

// Drops returns the drops so far, by reason.
func (c *Counters) Drops() map[DropReason]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[DropReason]int64, len(c.drops))
	for r, n := range c.drops {
		m[r] = n
	}
	return m
}

// noMetrics counts nothing, for a server configured without Metrics.
type noMetrics struct{}

func (noMetrics) Received(Kind)                         {}
func (noMetrics) Answered(Kind, Outcome, time.Duration) {}
func (noMetrics) Dropped(Kind, DropReason)              {}
func (noMetrics) ChangeSent(bool, string)               {}
