// Package radius is Mteja's RADIUS server for ISPs (RFC 2865 authentication,
// RFC 2866 accounting, RFC 5176 Change-of-Authorization and Disconnect), on
// layeh.com/radius, for MikroTik hotspots and PPPoE. It speaks the protocol
// and keeps its promises (Message-Authenticator, CHAP, a reply cache,
// accounting deduplication); what a user may do is asked of a Decider, which
// the billing side (package isp) implements.
package radius

import (
	"context"
	"net/netip"
	"time"
)

// NAS is a router that may talk to us.
type NAS struct {
	ID      string
	Name    string     // NAS-Identifier it sends
	Addr    netip.Addr // where its packets come from
	Secret  []byte     // its shared secret, opened from its sealed form
	CoAPort int        // where it takes CoA and Disconnect (3799; 1700 on old RouterOS)
}

// AuthRequest is an Access-Request the server has checked (shared secret,
// Message-Authenticator) and reduced to what billing decides on.
type AuthRequest struct {
	NAS      NAS
	Username string
	// Password is checked by the Decider through Check: PAP compares the
	// plain password, CHAP the MD5 response; billing never sees the method.
	Check            func(password string) bool
	NASPort          string
	NASPortType      string // Ethernet (PPPoE), Wireless-802.11 (hotspot) ...
	CallingStationID string // the client's MAC, upper case
	CalledStationID  string
	FramedIP         netip.Addr
	SessionID        string // Acct-Session-Id, when the NAS sends it with the request
	At               time.Time
}

// Verdicts of an Access-Request.
type Verdict int

const (
	Reject       Verdict = iota // Access-Reject with Message
	Accept                      // Access-Accept with the limits below
	WalledGarden                // Access-Accept into the pay-now address list (suspended, out of credit)
)

// AuthDecision is what billing answers.
type AuthDecision struct {
	Verdict   Verdict
	Message   string // Reply-Message (shown by the hotspot page), on Reject and WalledGarden
	RateLimit string // Mikrotik-Rate-Limit, e.g. "2M/5M 4M/10M 1500k/4M 10/10"
	// SessionTimeout is the time left (Session-Timeout); 0 means none.
	SessionTimeout time.Duration
	// DataLimit is the bytes left (Mikrotik-Total-Limit and -Gigawords); 0 means none.
	DataLimit       int64
	InterimInterval time.Duration // Acct-Interim-Interval; default 5 minutes
	FramedPool      string        // Framed-Pool, when set
	AddressList     string        // Mikrotik-Address-List (the walled garden's list on WalledGarden)
	EndsAt          time.Time     // WISPr-Session-Terminate-Time, when set
}

// AcctStatus is Acct-Status-Type.
type AcctStatus int

const (
	AcctStart   AcctStatus = 1
	AcctStop    AcctStatus = 2
	AcctInterim AcctStatus = 3
	// Accounting-On and -Off (added to the seam): the NAS started or is
	// stopping, so every session it had open has ended, without a Stop.
	// Their records carry only the NAS and the time.
	AcctOn  AcctStatus = 7
	AcctOff AcctStatus = 8
)

// AcctRecord is one accounting packet, counters already joined with their
// gigawords: bytes = gigawords << 32 + octets.
type AcctRecord struct {
	NAS              NAS
	Status           AcctStatus
	Username         string
	SessionID        string // Acct-Session-Id
	InputBytes       int64  // from the client (upload)
	OutputBytes      int64  // to the client (download)
	SessionTime      time.Duration
	TerminateCause   string
	FramedIP         netip.Addr
	CallingStationID string
	At               time.Time
}

// AcctResult tells the server what billing wants done after an accounting
// packet, beyond the Accounting-Response it always sends: a session that
// ran out of time or data, or whose speed changes (fair use), gets a
// Disconnect-Request or a CoA-Request.
type AcctResult struct {
	Disconnect   bool
	NewRateLimit string // a CoA with this Mikrotik-Rate-Limit, when not ""
}

// Decider is what the RADIUS server asks of billing. Every method is called
// concurrently, for many NAS ports at once; it must be quick (the server
// answers thousands of requests a second) and safe to call again for a
// retransmitted packet the reply cache did not catch.
type Decider interface {
	// NASByAddr returns the NAS packets from addr come from; ok false for
	// an unknown address (the packet is dropped, unanswered, as RFC 2865
	// asks).
	NASByAddr(ctx context.Context, addr netip.Addr) (nas NAS, ok bool, err error)
	// Authorize decides an Access-Request: balance, expiry, quota and
	// Simultaneous-Use are enforced at every request.
	Authorize(ctx context.Context, r AuthRequest) (AuthDecision, error)
	// Account records one accounting packet; billing keeps the session's
	// last counters and bills the difference, and is idempotent for a
	// repeated packet.
	Account(ctx context.Context, r AcctRecord) (AcctResult, error)
}

// Pinger is a Decider that can tell whether it could decide now (its
// database answers). Where the Decider is one, a Status-Server is answered
// only while Ping succeeds, so that a router or a proxy with another
// server moves its users there rather than to one that would drop them.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Change is a CoA or Disconnect the billing side asks the server to send to
// a session: when a subscription expires, runs out of quota, is paid, or
// changes plan.
type Change struct {
	NAS         NAS
	Username    string
	SessionID   string
	FramedIP    netip.Addr
	Disconnect  bool   // Disconnect-Request; otherwise a CoA-Request
	RateLimit   string // the CoA's new Mikrotik-Rate-Limit
	AddressList string // the CoA's new Mikrotik-Address-List (into or out of the walled garden)
}
