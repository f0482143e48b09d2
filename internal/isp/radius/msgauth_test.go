package radius

import (
	"testing"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2869"
)

func TestMessageAuthenticator(t *testing.T) {
	t.Parallel()
	secret := []byte("testing123")
	req := radius.New(radius.CodeAccessRequest, secret)
	rfc2865.UserName_SetString(req, "alice")
	wire, err := Encode(req)
	if err != nil {
		t.Fatal(err)
	}
	if radius.Type(wire[20]) != rfc2869.MessageAuthenticator_Type {
		t.Fatalf("Message-Authenticator is not the first attribute")
	}
	acct := radius.New(radius.CodeAccountingRequest, secret)
	acct.Authenticator = [16]byte{}
	rfc2865.UserName_SetString(acct, "alice")
	acctWire, err := Encode(acct)
	if err != nil {
		t.Fatal(err)
	}
	if !radius.IsAuthenticRequest(acctWire, secret) {
		t.Fatal("the Accounting-Request's authenticator does not verify")
	}
	tampered := append([]byte(nil), wire...)
	tampered[len(tampered)-1] ^= 1
	plain, _ := req.Encode() // layeh's own: no Message-Authenticator

	tests := []struct {
		name          string
		b             []byte
		secret        string
		zeroAuth      bool
		present, want bool
	}{
		{"access-request", wire, "testing123", false, true, true},
		{"wrong secret", wire, "testing124", false, true, false},
		{"altered", tampered, "testing123", false, true, false},
		{"absent", plain, "testing123", false, false, false},
		{"accounting, zero authenticator", acctWire, "testing123", true, true, true},
		{"accounting taken as access", acctWire, "testing123", false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			present, ok := checkMsgAuth(tt.b, []byte(tt.secret), tt.zeroAuth)
			if present != tt.present || ok != tt.want {
				t.Errorf("checkMsgAuth = %v, %v; want %v, %v", present, ok, tt.present, tt.want)
			}
		})
	}

	// A reply: authentic over the request's authenticator, and its
	// Message-Authenticator checks the same way.
	parsed, _ := radius.Parse(wire, secret)
	reply, err := Encode(parsed.Response(radius.CodeAccessAccept))
	if err != nil {
		t.Fatal(err)
	}
	if !radius.IsAuthenticResponse(reply, wire, secret) {
		t.Error("the reply's authenticator does not verify")
	}
	if !checkReplyMsgAuth(reply, secret, parsed.Authenticator) {
		t.Error("the reply's Message-Authenticator does not verify")
	}
	if checkReplyMsgAuth(reply, []byte("other"), parsed.Authenticator) {
		t.Error("the reply's Message-Authenticator verifies under another secret")
	}
}

func TestTwoMessageAuthenticators(t *testing.T) {
	t.Parallel()
	p := radius.New(radius.CodeAccessRequest, []byte("s"))
	p.Add(rfc2869.MessageAuthenticator_Type, make(radius.Attribute, 16))
	p.Add(rfc2869.MessageAuthenticator_Type, make(radius.Attribute, 16))
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if present, ok := checkMsgAuth(b, []byte("s"), false); !present || ok {
		t.Errorf("two Message-Authenticators: present %v ok %v, want present and refused", present, ok)
	}
}
