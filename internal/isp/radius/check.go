package radius

import (
	"context"
	"encoding/binary"

	"layeh.com/radius"
)

// check finds the packet's NAS and proves the packet came from it: the
// source address must be a known NAS with a secret, the code the one this
// port takes, and the packet signed with that NAS's secret. Anything else
// is dropped unanswered (RFC 2865 section 3; RFC 3579 section 3.2 for a
// Message-Authenticator that does not match). Either port also takes
// Status-Server (RFC 5997), which must carry a Message-Authenticator.
func (s *Server) check(kind Kind, p packet) (*radius.Packet, NAS, DropReason) {
	src := p.src.Addr().Unmap()
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.DecideTimeout)
	nas, ok, err := s.nas.lookup(ctx, src, p.at)
	cancel()
	if err != nil {
		s.log.warn("nas-error", "radius: looking up a NAS", "addr", src.String(), "err", err)
		return nil, NAS{}, DropDeciderError
	}
	if !ok || len(nas.Secret) == 0 {
		// An empty secret would make every signature forgeable: a NAS
		// without one is treated as unknown.
		s.log.warn("unknown:"+src.String(), "radius: dropped a packet from an address that is no NAS (or a NAS without a secret)", "addr", src.String(), "kind", string(kind))
		return nil, NAS{}, DropUnknownNAS
	}
	if len(p.b) < 20 {
		return nil, nas, DropMalformed
	}
	want := radius.CodeAccessRequest
	if kind == KindAcct {
		want = radius.CodeAccountingRequest
	}
	code := radius.Code(p.b[0])
	if code != want && code != radius.CodeStatusServer {
		return nil, nas, DropWrongCode
	}
	req, err := radius.Parse(p.b, nas.Secret)
	if err != nil {
		return nil, nas, DropMalformed
	}
	b := p.b[:binary.BigEndian.Uint16(p.b[2:4])] // Parse checked the length
	if kind == KindAuth || code == radius.CodeStatusServer {
		// Only the Message-Authenticator signs these: their authenticator
		// is random (RFC 2865 section 3; RFC 5997 section 3 for
		// Status-Server, which must carry one).
		what, fix := "an Access-Request", "have the router send it (RouterOS 7.15+: /radius set require-message-auth=yes)"
		if code == radius.CodeStatusServer {
			what, fix = "a Status-Server", "have the prober send it, as RFC 5997 requires"
		}
		present, ok := checkMsgAuth(b, nas.Secret, false)
		if !present {
			s.log.warn("nomsgauth:"+src.String(), "radius: dropped "+what+" without Message-Authenticator (BlastRADIUS): "+fix, "nas", nas.Name, "addr", src.String())
			return nil, nas, DropNoMsgAuth
		}
		if !ok {
			s.log.warn("badmsgauth:"+src.String(), "radius: dropped "+what+" whose Message-Authenticator does not match: the router's secret differs from ours, or the packet was altered", "nas", nas.Name, "addr", src.String())
			return nil, nas, DropBadMsgAuth
		}
		return req, nas, ""
	}
	if !radius.IsAuthenticRequest(b, nas.Secret) {
		s.log.warn("badauth:"+src.String(), "radius: dropped an Accounting-Request whose authenticator does not match: the router's secret differs from ours", "nas", nas.Name, "addr", src.String())
		return nil, nas, DropBadAuth
	}
	// Accounting needs no Message-Authenticator (its authenticator already
	// signs it), but one that is sent must be right.
	if present, ok := checkMsgAuth(b, nas.Secret, true); present && !ok {
		return nil, nas, DropBadMsgAuth
	}
	return req, nas, ""
}
