package radius

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"
)

// authorize asks billing about an authentic Access-Request and encodes
// its answer.
func (s *Server) authorize(req *radius.Packet, nas NAS, at time.Time) ([]byte, Outcome, DropReason) {
	check, _, err := passwordCheck(req)
	if errors.Is(err, errNoPassword) {
		return nil, "", DropNoPassword
	}
	if err != nil {
		return nil, "", DropMalformed
	}
	ar := authRequest(req, nas, at)
	ar.Check = check
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.DecideTimeout)
	d, err := s.d.Authorize(ctx, ar)
	cancel()
	if err != nil {
		s.log.warn("authorize", "radius: billing could not decide an Access-Request; dropped, the router will retry", "nas", nas.Name, "err", err)
		return nil, "", DropDeciderError
	}
	resp, outcome, err := authReply(req, d)
	if err != nil {
		s.log.warn("reply:"+err.Error(), "radius: billing's decision cannot be sent; dropped", "nas", nas.Name, "err", err)
		return nil, "", DropReplyTooLarge
	}
	b, err := Encode(resp)
	if err != nil {
		s.log.warn("encode", "radius: encoding a reply", "nas", nas.Name, "err", err)
		return nil, "", DropReplyTooLarge
	}
	return b, outcome, ""
}

// authRequest reduces an Access-Request to what billing decides on.
func authRequest(req *radius.Packet, nas NAS, at time.Time) AuthRequest {
	ar := AuthRequest{
		NAS:              nas,
		Username:         rfc2865.UserName_GetString(req),
		NASPort:          rfc2869.NASPortID_GetString(req),
		CallingStationID: strings.ToUpper(rfc2865.CallingStationID_GetString(req)),
		CalledStationID:  rfc2865.CalledStationID_GetString(req),
		FramedIP:         framedIP(req),
		SessionID:        rfc2866.AcctSessionID_GetString(req),
		At:               at,
	}
	if ar.NASPort == "" {
		if n, err := rfc2865.NASPort_Lookup(req); err == nil {
			ar.NASPort = strconv.FormatUint(uint64(n), 10)
		}
	}
	if t, err := rfc2865.NASPortType_Lookup(req); err == nil {
		ar.NASPortType = t.String()
	}
	return ar
}

func framedIP(p *radius.Packet) netip.Addr {
	ip, err := rfc2865.FramedIPAddress_Lookup(p)
	if err != nil {
		return netip.Addr{}
	}
	return addrOf(ip)
}

func addrOf(ip net.IP) netip.Addr {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}
	}
	return a.Unmap()
}
