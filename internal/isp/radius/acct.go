package radius

import (
	"context"
	"strings"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"
)

// account records an authentic Accounting-Request with billing and only
// then encodes the Accounting-Response: a router that gets no response
// retransmits, so nothing unrecorded is ever acknowledged. after, when not
// nil, acts on billing's result once the response is sent.
func (s *Server) account(req *radius.Packet, nas NAS, at time.Time) (reply []byte, after func(), _ DropReason) {
	rec, ok := acctRecord(req, nas, at)
	if !ok {
		return nil, nil, DropMalformed
	}
	var res AcctResult
	switch rec.Status {
	case AcctStart, AcctStop, AcctInterim, AcctOn, AcctOff:
		ctx, cancel := context.WithTimeout(s.ctx, s.cfg.DecideTimeout)
		r, err := s.d.Account(ctx, rec)
		cancel()
		if err != nil {
			s.log.warn("account", "radius: billing could not record an Accounting-Request; dropped, the router will retry", "nas", nas.Name, "err", err)
			return nil, nil, DropDeciderError
		}
		res = r
	default:
		// Other status types (Accounting-Failed, tunnel records) carry
		// nothing billing uses: answered, so the router stops resending.
	}
	// No Message-Authenticator here: BlastRADIUS forges Access replies,
	// and an Accounting-Response decides nothing (its authenticator signs
	// it). Implementations disagree on how one would be computed (the
	// FreeRADIUS tools zero the authenticator field first), and a router
	// that disagreed with us would drop every response and resend forever.
	b, err := req.Response(radius.CodeAccountingResponse).Encode()
	if err != nil {
		return nil, nil, DropReplyTooLarge
	}
	if res.Disconnect || res.NewRateLimit != "" {
		c := Change{NAS: nas, Username: rec.Username, SessionID: rec.SessionID, FramedIP: rec.FramedIP,
			Disconnect: res.Disconnect, RateLimit: res.NewRateLimit}
		after = func() { s.act(c) }
	}
	return b, after, ""
}

// acctRecord reads an Accounting-Request; ok is false without
// Acct-Status-Type.
func acctRecord(req *radius.Packet, nas NAS, at time.Time) (AcctRecord, bool) {
	st, err := rfc2866.AcctStatusType_Lookup(req)
	if err != nil {
		return AcctRecord{}, false
	}
	rec := AcctRecord{
		NAS:              nas,
		Status:           AcctStatus(st),
		Username:         rfc2865.UserName_GetString(req),
		SessionID:        rfc2866.AcctSessionID_GetString(req),
		InputBytes:       joinGigawords(uint32(rfc2866.AcctInputOctets_Get(req)), uint32(rfc2869.AcctInputGigawords_Get(req))),
		OutputBytes:      joinGigawords(uint32(rfc2866.AcctOutputOctets_Get(req)), uint32(rfc2869.AcctOutputGigawords_Get(req))),
		SessionTime:      time.Duration(rfc2866.AcctSessionTime_Get(req)) * time.Second,
		FramedIP:         framedIP(req),
		CallingStationID: strings.ToUpper(rfc2865.CallingStationID_GetString(req)),
		At:               at,
	}
	if c, err := rfc2866.AcctTerminateCause_Lookup(req); err == nil {
		rec.TerminateCause = c.String()
	}
	// A packet the router had to resend says how long it waited: the
	// event happened that much earlier.
	if d, err := rfc2866.AcctDelayTime_Lookup(req); err == nil {
		rec.At = at.Add(-time.Duration(d) * time.Second)
	}
	return rec, true
}

// joinGigawords makes a 64-bit counter of a 32-bit one and the number of
// times it wrapped: bytes = gigawords << 32 + octets. Gigawords past 2^31
// (8 EiB, no session's) would make it negative: they are capped, so that a
// garbled counter never reads as a negative one.
func joinGigawords(octets, gigawords uint32) int64 {
	gigawords = min(gigawords, 1<<31-1)
	return int64(gigawords)<<32 | int64(octets)
}

// act sends the Disconnect or CoA billing asked for after an accounting
// packet, in the background. It is not queued durably: if it is lost (the
// process stops, the router does not answer), billing asks again at the
// session's next Interim-Update, and the session's Stop confirms it.
func (s *Server) act(c Change) {
	select {
	case s.sends <- struct{}{}:
	default:
		s.log.warn("sends-full", "radius: too many CoA/Disconnect in flight; this one waits for the session's next Interim-Update", "nas", c.NAS.Name, "user", c.Username)
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() { <-s.sends }()
		r := s.Send(s.ctx, c, nil)
		if r.Outcome != ChangeACK {
			s.log.warn("act:"+c.NAS.ID, "radius: a CoA/Disconnect after accounting was not acknowledged", "nas", c.NAS.Name, "user", c.Username, "outcome", string(r.Outcome), "error_cause", r.ErrorCause, "err", r.Err)
		}
	}()
}
