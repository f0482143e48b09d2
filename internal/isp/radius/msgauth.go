package radius

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/subtle"
	"errors"

	"layeh.com/radius"
	"layeh.com/radius/rfc2869"
)

// Message-Authenticator (RFC 3579 section 3.2, attribute 80) is an
// HMAC-MD5 of the whole packet under the shared secret. Since BlastRADIUS
// (CVE-2024-3596) it is what keeps a man in the middle from turning an
// Access-Reject into an Accept by an MD5 collision: we require it on every
// Access-Request and put it first in every Access reply and every CoA and
// Disconnect we send (not in an Accounting-Response: see account).
// layeh.com/radius does neither, so it is done here on the wire bytes.

const msgAuthLen = 16

var errMsgAuth = errors.New("radius: more than one Message-Authenticator, or one of the wrong length")

// findMsgAuth returns where the Message-Authenticator's value starts in
// the wire packet b, or -1 when there is none. b's attributes must have
// been parsed already (their lengths are trusted).
func findMsgAuth(b []byte) (int, error) {
	at := -1
	for i := 20; i+2 <= len(b); {
		typ, l := b[i], int(b[i+1])
		if l < 2 || i+l > len(b) {
			return -1, errMsgAuth
		}
		if radius.Type(typ) == rfc2869.MessageAuthenticator_Type {
			if at >= 0 || l != 2+msgAuthLen {
				return -1, errMsgAuth
			}
			at = i + 2
		}
		i += l
	}
	return at, nil
}

// checkMsgAuth verifies the Message-Authenticator of a request in wire
// form b. zeroAuth is set for Accounting-, CoA- and Disconnect-Requests,
// whose HMAC is taken with a zero authenticator field (RFC 5176 section
// 3.3); an Access-Request's is taken as sent. present is false when the
// packet has none.
func checkMsgAuth(b, secret []byte, zeroAuth bool) (present, ok bool) {
	at, err := findMsgAuth(b)
	if err != nil {
		return true, false
	}
	if at < 0 {
		return false, false
	}
	c := append([]byte(nil), b...)
	clear(c[at : at+msgAuthLen])
	if zeroAuth {
		clear(c[4:20])
	}
	mac := hmac.New(md5.New, secret)
	mac.Write(c)
	return true, subtle.ConstantTimeCompare(mac.Sum(nil), b[at:at+msgAuthLen]) == 1
}

// checkReplyMsgAuth verifies the Message-Authenticator of a reply to a
// request we sent, whose authenticator was reqAuth. A reply without one
// passes: old RouterOS does not send it, and the reply's own authenticator
// is checked as well.
func checkReplyMsgAuth(b, secret []byte, reqAuth [16]byte) bool {
	at, err := findMsgAuth(b)
	if err != nil {
		return false
	}
	if at < 0 {
		return true
	}
	c := append([]byte(nil), b...)
	clear(c[at : at+msgAuthLen])
	copy(c[4:20], reqAuth[:])
	mac := hmac.New(md5.New, secret)
	mac.Write(c)
	return subtle.ConstantTimeCompare(mac.Sum(nil), b[at:at+msgAuthLen]) == 1
}

// Encode encodes p as Mteja signs packets, with a Message-Authenticator as
// its first attribute. An Access-Request keeps p's (random) authenticator;
// every other code gets the one RFC 2865, 2866 and 5176 prescribe, for
// which p.Authenticator must be the request's in a reply and zero in a
// request. The server signs its Access-Accepts and -Rejects and its CoA
// and Disconnect requests this way; clients and fake NAS in tests and the
// benchmark use it too.
func Encode(p *radius.Packet) ([]byte, error) {
	b, err := withMsgAuth(p).MarshalBinary()
	if err != nil {
		return nil, err
	}
	mac := hmac.New(md5.New, p.Secret)
	mac.Write(b)
	mac.Sum(b[22:22])
	if p.Code != radius.CodeAccessRequest {
		// MD5(packet ‖ secret), over the packet holding the request's
		// authenticator (a reply) or zero (a request), and the HMAC.
		h := md5.New()
		h.Write(b)
		h.Write(p.Secret)
		h.Sum(b[4:4])
	}
	return b, nil
}

// withMsgAuth returns a copy of p with a zero Message-Authenticator as its
// first attribute, in place of any it had.
func withMsgAuth(p *radius.Packet) *radius.Packet {
	q := *p
	q.Attributes = make(radius.Attributes, 0, len(p.Attributes)+1)
	q.Attributes = append(q.Attributes, &radius.AVP{Type: rfc2869.MessageAuthenticator_Type, Attribute: make(radius.Attribute, msgAuthLen)})
	for _, a := range p.Attributes {
		if a.Type != rfc2869.MessageAuthenticator_Type {
			q.Attributes = append(q.Attributes, a)
		}
	}
	return &q
}
