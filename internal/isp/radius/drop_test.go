package radius_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/isp/radius"
)

// Packets the server must leave unanswered, each counted under its
// reason: RADIUS has no error reply, and a NAS that hears nothing tries
// again or moves to its next server.
func TestDrops(t *testing.T) {
	needRadclient(t)
	t.Parallel()
	accessNoMsgAuth := "User-Name = alice\nUser-Password = s3cret\n"
	accessWithMsgAuth := accessNoMsgAuth + "Message-Authenticator = 0x00\n"
	acctStart := "Acct-Status-Type = Start\nUser-Name = alice\nAcct-Session-Id = \"81a00001\"\n"
	tests := []struct {
		name   string
		opts   setupOpts
		port   string // "auth" or "acct"
		in     string
		secret string
		reason radius.DropReason
	}{
		// BlastRADIUS: an Access-Request without Message-Authenticator is
		// dropped, not rejected, so that no signed answer to it exists.
		{"no message authenticator", setupOpts{}, "auth", accessNoMsgAuth, secret, radius.DropNoMsgAuth},
		{"wrong secret, access", setupOpts{}, "auth", accessWithMsgAuth, "testing124", radius.DropBadMsgAuth},
		{"wrong secret, accounting", setupOpts{}, "acct", acctStart, "testing124", radius.DropBadAuth},
		{"unknown NAS", setupOpts{nas: &radius.NAS{ID: "elsewhere", Addr: netip.MustParseAddr("127.0.0.2"), Secret: []byte(secret)}}, "auth", accessWithMsgAuth, secret, radius.DropUnknownNAS},
		// A NAS whose secret is empty is no NAS: an empty secret would
		// let anyone sign.
		{"NAS without a secret", setupOpts{nas: &radius.NAS{ID: "nosecret", Addr: netip.MustParseAddr("127.0.0.1")}}, "acct", acctStart, secret, radius.DropUnknownNAS},
		{"accounting on the auth port", setupOpts{}, "auth", acctStart, secret, radius.DropWrongCode},
		{"access on the accounting port", setupOpts{}, "acct", accessWithMsgAuth, secret, radius.DropWrongCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, tt.opts)
			addr, typ := b.auth, "auth"
			if tt.port == "acct" {
				addr = b.acct
			}
			if strings.Contains(tt.in, "Acct-Status-Type") {
				typ = "acct"
			}
			out, ok := run(t, tt.in, "radclient", "-r", "1", "-t", "1", addr, typ, tt.secret)
			if ok || strings.Contains(out, "Received") {
				t.Errorf("radclient got an answer (exit ok %v):\n%s", ok, out)
			}
			if got := b.counters.Drops()[tt.reason]; got == 0 {
				t.Errorf("drops %v, want one for %s", b.counters.Drops(), tt.reason)
			}
			if n := b.dec.AuthCalls.Load() + b.dec.AcctCalls.Load(); n != 0 {
				t.Errorf("billing was asked %d times", n)
			}
		})
	}
}

// When billing fails, the request is dropped rather than answered: the
// router retransmits (accounting) or tries its next server, and nothing is
// acknowledged that was not recorded. Once billing is back, the same user
// gets in: the failure was not cached.
func TestDeciderFails(t *testing.T) {
	needRadclient(t)
	t.Parallel()
	b := setup(t, setupOpts{})
	b.dec.Fail(errors.New("database unreachable"))
	out, _ := run(t, "User-Name = alice\nCHAP-Password = s3cret\nMessage-Authenticator = 0x00\n", "radclient", "-r", "1", "-t", "1", b.auth, "auth", secret)
	if strings.Contains(out, "Received") {
		t.Fatalf("answered while billing fails:\n%s", out)
	}
	out, _ = run(t, "Acct-Status-Type = Start\nUser-Name = alice\nAcct-Session-Id = \"81a00001\"\n", "radclient", "-r", "1", "-t", "1", b.acct, "acct", secret)
	if strings.Contains(out, "Received") {
		t.Fatalf("accounting acknowledged while billing fails:\n%s", out)
	}
	if got := b.counters.Drops()[radius.DropDeciderError]; got < 2 {
		t.Errorf("decider_error drops %d, want 2 or more", got)
	}
	b.dec.Fail(nil)
	out, _ = run(t, "", "radtest", "-t", "chap", "alice", "s3cret", b.auth, "0", secret)
	wantAll(t, out, "Received Access-Accept")
}
