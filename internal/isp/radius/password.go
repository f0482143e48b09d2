package radius

import (
	"crypto/md5"
	"crypto/subtle"
	"errors"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
)

var errNoPassword = errors.New("radius: neither User-Password nor CHAP-Password")

// passwordCheck returns the AuthRequest.Check for the request p: billing
// hands it the stored password and learns whether the user proved it, by
// PAP or by CHAP, without knowing which. The packet must be authentic
// (its Message-Authenticator checked): PAP's decryption and CHAP's
// challenge both come from it.
func passwordCheck(p *radius.Packet) (check func(string) bool, method string, err error) {
	if a, ok := p.Lookup(rfc2865.CHAPPassword_Type); ok {
		f, err := chapCheck(p, a)
		return f, "chap", err
	}
	if _, ok := p.Lookup(rfc2865.UserPassword_Type); ok {
		// Decrypted once here, compared per call: billing may try more
		// than one stored secret (a voucher and an account password).
		pw, err := rfc2865.UserPassword_Lookup(p)
		if err != nil {
			return nil, "pap", err
		}
		return func(stored string) bool {
			return subtle.ConstantTimeCompare(pw, []byte(stored)) == 1
		}, "pap", nil
	}
	return nil, "", errNoPassword
}

// chapCheck checks a CHAP-Password (RFC 1994, RFC 2865 section 5.3): its
// first octet is the CHAP ident, the other 16 the MD5 of ident ‖ password
// ‖ challenge. The challenge is the CHAP-Challenge attribute when present
// (MikroTik hotspots send one), otherwise the Request Authenticator.
// Ignoring the attribute is a known bug elsewhere: every hotspot login
// fails.
func chapCheck(p *radius.Packet, a radius.Attribute) (func(string) bool, error) {
	if len(a) != 1+md5.Size {
		return nil, errors.New("radius: CHAP-Password is not 17 octets")
	}
	ident, response := a[0], append([]byte(nil), a[1:]...)
	challenge := p.Authenticator[:]
	if c, ok := p.Lookup(rfc2865.CHAPChallenge_Type); ok {
		if len(c) == 0 {
			return nil, errors.New("radius: empty CHAP-Challenge")
		}
		challenge = c
	}
	challenge = append([]byte(nil), challenge...)
	return func(stored string) bool {
		return subtle.ConstantTimeCompare(chapResponse(ident, stored, challenge), response) == 1
	}, nil
}

// chapResponse is MD5(ident ‖ password ‖ challenge).
func chapResponse(ident byte, password string, challenge []byte) []byte {
	h := md5.New()
	h.Write([]byte{ident})
	h.Write([]byte(password))
	h.Write(challenge)
	return h.Sum(nil)
}
