package radius

import (
	"crypto/md5"
	"testing"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
)

func TestPasswordCheck(t *testing.T) {
	t.Parallel()
	auth := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	challenge := []byte("a hotspot's challenge")
	chap := func(ident byte, pw string, ch []byte) radius.Attribute {
		return append(radius.Attribute{ident}, chapResponse(ident, pw, ch)...)
	}
	tests := []struct {
		name    string
		build   func(p *radius.Packet)
		stored  string
		want    bool
		wantErr bool
	}{
		{"pap right", func(p *radius.Packet) { rfc2865.UserPassword_SetString(p, "s3cret") }, "s3cret", true, false},
		{"pap wrong", func(p *radius.Packet) { rfc2865.UserPassword_SetString(p, "s3cret") }, "s3cre", false, false},
		{"pap longer than 16", func(p *radius.Packet) { rfc2865.UserPassword_SetString(p, "a passphrase of some length") }, "a passphrase of some length", true, false},
		{"chap over the authenticator", func(p *radius.Packet) { p.Add(rfc2865.CHAPPassword_Type, chap(7, "s3cret", auth[:])) }, "s3cret", true, false},
		{"chap wrong password", func(p *radius.Packet) { p.Add(rfc2865.CHAPPassword_Type, chap(7, "s3cret", auth[:])) }, "other", false, false},
		{"chap over CHAP-Challenge", func(p *radius.Packet) {
			p.Add(rfc2865.CHAPPassword_Type, chap(9, "s3cret", challenge))
			p.Add(rfc2865.CHAPChallenge_Type, challenge)
		}, "s3cret", true, false},
		// The bug of ignoring CHAP-Challenge: a response over the
		// authenticator while a challenge was sent must fail.
		{"chap challenge ignored by the client", func(p *radius.Packet) {
			p.Add(rfc2865.CHAPPassword_Type, chap(9, "s3cret", auth[:]))
			p.Add(rfc2865.CHAPChallenge_Type, challenge)
		}, "s3cret", false, false},
		{"chap wrong ident", func(p *radius.Packet) {
			a := chap(9, "s3cret", auth[:])
			a[0] = 8
			p.Add(rfc2865.CHAPPassword_Type, a)
		}, "s3cret", false, false},
		{"chap short", func(p *radius.Packet) { p.Add(rfc2865.CHAPPassword_Type, radius.Attribute{1, 2, 3}) }, "", false, true},
		{"no password", func(p *radius.Packet) {}, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &radius.Packet{Code: radius.CodeAccessRequest, Secret: []byte("testing123"), Authenticator: auth}
			tt.build(p)
			check, _, err := passwordCheck(p)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && check(tt.stored) != tt.want {
				t.Errorf("check(%q) = %v, want %v", tt.stored, !tt.want, tt.want)
			}
		})
	}
}

// RFC 1994's definition, spelt out once more against chapResponse.
func TestCHAPResponse(t *testing.T) {
	t.Parallel()
	want := md5.Sum([]byte("\x2apasswordchallenge"))
	if got := chapResponse(0x2a, "password", []byte("challenge")); string(got) != string(want[:]) {
		t.Errorf("chapResponse = %x, want %x", got, want)
	}
}
