package radius

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc3576"
	"layeh.com/radius/vendors/mikrotik"
)

// ChangeOutcome is how one attempt at a CoA or Disconnect ended.
type ChangeOutcome string

const (
	ChangeACK     ChangeOutcome = "ack"     // Disconnect-ACK or CoA-ACK
	ChangeNAK     ChangeOutcome = "nak"     // Disconnect-NAK or CoA-NAK, with its Error-Cause
	ChangeTimeout ChangeOutcome = "timeout" // no authentic answer in time
	ChangeError   ChangeOutcome = "error"   // not sent: no secret, no address, nothing to identify the session
)

// ChangeResult is one attempt at sending a Change and what came of it.
//
// An ACK to a Disconnect does not prove the user went offline: the NAS
// only says it accepted the request. The proof is the session's
// Accounting-Stop, which billing should wait for before it counts the
// session closed (and ask again when none comes). A NAK with Error-Cause
// 503 (Session-Context-Not-Found) to a Disconnect means the session is
// already gone.
type ChangeResult struct {
	Attempt    int // 1, 2, ... (retransmissions of the same packet)
	At         time.Time
	Took       time.Duration
	Outcome    ChangeOutcome
	ErrorCause int    // a NAK's Error-Cause (RFC 5176 section 3.5), 0 if it had none
	Err        string // why an attempt was not sent (ChangeError)
	// Final is set on the last attempt: an ACK, a NAK, an error, or the
	// last timeout.
	Final bool
}

// Error-Cause values (RFC 5176 section 3.5) that NAS send most.
const (
	ErrorCauseMissingAttribute        = 402
	ErrorCauseInvalidRequest          = 404
	ErrorCauseSessionContextNotFound  = 503
	ErrorCauseResourcesUnavailable    = 506
	ErrorCauseMultipleSessionSelected = 508
)

// Send sends c to its NAS's CoA port, retransmitting the same packet after
// CoA.Timeout, twice that, and so on, CoA.Attempts times in all, until an
// authentic ACK or NAK. record, when not nil, is called after each
// attempt; the last result is returned. When ctx ends first, the last
// attempt is recorded as a timeout that is not Final.
func (s *Server) Send(ctx context.Context, c Change, record func(ChangeResult)) ChangeResult {
	if record == nil {
		record = func(ChangeResult) {}
	}
	fail := func(err error) ChangeResult {
		r := ChangeResult{Attempt: 1, At: s.cfg.Now(), Outcome: ChangeError, Err: err.Error(), Final: true}
		s.metrics.ChangeSent(c.Disconnect, string(ChangeError))
		record(r)
		return r
	}
	req, err := changePacket(c)
	if err != nil {
		return fail(err)
	}
	wire, err := Encode(req)
	if err != nil {
		return fail(fmt.Errorf("encode: %w", err))
	}
	var reqAuth [16]byte
	copy(reqAuth[:], wire[4:20])
	port := c.NAS.CoAPort
	if port <= 0 {
		port = s.cfg.CoA.Port
	}
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(c.NAS.Addr, uint16(port))))
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()

	wait := s.cfg.CoA.Timeout
	var r ChangeResult
	for n := 1; n <= s.cfg.CoA.Attempts; n++ {
		start := s.cfg.Now()
		r = ChangeResult{Attempt: n, At: start, Outcome: ChangeTimeout}
		if _, err := conn.Write(wire); err != nil {
			// ICMP port unreachable from the last attempt shows here:
			// the NAS is up but does not take CoA (accept=no).
			r.Err = err.Error()
		} else if resp := s.await(conn, req, wire, reqAuth, time.Now().Add(wait)); resp != nil {
			r.Outcome = ChangeACK
			if resp.Code == radius.CodeDisconnectNAK || resp.Code == radius.CodeCoANAK {
				r.Outcome = ChangeNAK
				if ec, err := rfc3576.ErrorCause_Lookup(resp); err == nil {
					r.ErrorCause = int(ec)
				}
			}
		}
		r.Took = s.cfg.Now().Sub(start)
		// Stopped by ctx (the server shutting down), the change is not
		// Final: its claim lapses and it is sent again.
		r.Final = r.Outcome != ChangeTimeout || n == s.cfg.CoA.Attempts && ctx.Err() == nil
		s.metrics.ChangeSent(c.Disconnect, string(r.Outcome))
		record(r)
		if r.Final || ctx.Err() != nil {
			return r
		}
		wait *= 2
	}
	return r
}

// await reads until deadline for an authentic answer to req: same
// identifier, an ACK or NAK of the right kind, signed with the secret over
// our request's authenticator. Anything else is ignored.
func (s *Server) await(conn *net.UDPConn, req *radius.Packet, wire []byte, reqAuth [16]byte, deadline time.Time) *radius.Packet {
	conn.SetReadDeadline(deadline)
	buf := make([]byte, radius.MaxPacketLength)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil // the deadline, ctx's end, or ICMP unreachable
		}
		b := buf[:n]
		if n < 20 || b[1] != req.Identifier || !radius.IsAuthenticResponse(b, wire, req.Secret) || !checkReplyMsgAuth(b, req.Secret, reqAuth) {
			continue
		}
		resp, err := radius.Parse(b, req.Secret)
		if err != nil {
			continue
		}
		switch {
		case req.Code == radius.CodeDisconnectRequest && (resp.Code == radius.CodeDisconnectACK || resp.Code == radius.CodeDisconnectNAK),
			req.Code == radius.CodeCoARequest && (resp.Code == radius.CodeCoAACK || resp.Code == radius.CodeCoANAK):
			return resp
		}
	}
}

// changePacket builds the request for c, identifying the session by
// User-Name, Acct-Session-Id, Framed-IP-Address (MikroTik needs it) and
// NAS-IP-Address.
func changePacket(c Change) (*radius.Packet, error) {
	if len(c.NAS.Secret) == 0 {
		return nil, errors.New("the NAS has no secret")
	}
	if !c.NAS.Addr.IsValid() {
		return nil, errors.New("the NAS has no address")
	}
	if c.Username == "" && c.SessionID == "" && !c.FramedIP.IsValid() {
		return nil, errors.New("nothing identifies the session")
	}
	if !c.Disconnect && c.RateLimit == "" && c.AddressList == "" {
		return nil, errors.New("a CoA that changes nothing")
	}
	code := radius.CodeCoARequest
	if c.Disconnect {
		code = radius.CodeDisconnectRequest
	}
	p := &radius.Packet{Code: code, Secret: c.NAS.Secret}
	var id [1]byte
	rand.Read(id[:])
	p.Identifier = id[0]
	// The authenticator stays zero: Encode computes it.
	var errs []error
	if c.Username != "" {
		errs = append(errs, rfc2865.UserName_AddString(p, c.Username))
	}
	if c.SessionID != "" {
		errs = append(errs, rfc2866.AcctSessionID_AddString(p, c.SessionID))
	}
	if c.FramedIP.Is4() {
		errs = append(errs, rfc2865.FramedIPAddress_Add(p, c.FramedIP.AsSlice()))
	}
	if a := c.NAS.Addr.Unmap(); a.Is4() {
		errs = append(errs, rfc2865.NASIPAddress_Add(p, a.AsSlice()))
	}
	if !c.Disconnect {
		if c.RateLimit != "" {
			errs = append(errs, mikrotik.MikrotikRateLimit_AddString(p, c.RateLimit))
		}
		if c.AddressList != "" {
			errs = append(errs, mikrotik.MikrotikAddressList_AddString(p, c.AddressList))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}
