package radius_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/isp/radius/radiustest"
)

// These tests talk to the server with Debian's radclient and radtest
// (freeradius-utils), the tools operators use to check a RADIUS server.

const secret = "testing123"

func TestMain(m *testing.M) {
	if _, err := exec.LookPath("radclient"); err != nil {
		fmt.Fprintln(os.Stderr, "radius: radclient not found (Debian freeradius-utils; scripts/test installs it): the tests against it are SKIPPED")
	}
	os.Exit(m.Run())
}

// needRadclient skips the test when radclient is not installed.
func needRadclient(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("radclient"); err != nil {
		t.Skip("SKIPPED: radclient not installed (Debian freeradius-utils; scripts/test installs it)")
	}
}

type testBundle struct {
	srv      *radius.Server
	dec      *radiustest.Decider
	counters *radius.Counters
	auth     string // 127.0.0.1:port
	acct     string
}

// Alice's plan: everything an Accept can carry.
var aliceDecision = radius.AuthDecision{
	Verdict:         radius.Accept,
	RateLimit:       "2M/5M 4M/10M 1500k/4M 10/10",
	SessionTimeout:  time.Hour,
	DataLimit:       5<<32 + 1000,
	InterimInterval: time.Minute,
	FramedPool:      "hs-pool",
	EndsAt:          time.Date(2030, 1, 2, 15, 4, 5, 0, time.FixedZone("EAT", 3*3600)),
}

type setupOpts struct {
	nas     *radius.NAS // default: 127.0.0.1 with secret
	coaPort int
	cfg     func(*radius.Config)
}

func setup(t *testing.T, o setupOpts) *testBundle {
	t.Helper()
	dec := radiustest.NewDecider(true)
	nas := radius.NAS{ID: "nas-1", Name: "hotspot-1", Addr: netip.MustParseAddr("127.0.0.1"), Secret: []byte(secret), CoAPort: o.coaPort}
	if o.nas != nil {
		nas = *o.nas
	}
	dec.AddNAS(nas)
	dec.AddUser("alice", radiustest.User{Password: "s3cret", Decision: aliceDecision})
	dec.AddUser("bob", radiustest.User{Password: "pw", Decision: radius.AuthDecision{
		Verdict: radius.WalledGarden, AddressList: "pay-now", Message: "Your bundle has ended: pay by M-Pesa", RateLimit: "256k/256k"}})
	counters := &radius.Counters{}
	cfg := radius.Config{AuthAddr: "127.0.0.1:0", AcctAddr: "127.0.0.1:0", Metrics: counters,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		CoA: radius.CoAConfig{Timeout: 100 * time.Millisecond, Attempts: 3}}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	srv, err := radius.New(cfg, dec)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &testBundle{srv: srv, dec: dec, counters: counters, auth: srv.AuthAddr().String(), acct: srv.AcctAddr().String()}
}

// run runs radclient or radtest with stdin and returns its output; ok is
// its exit status.
func run(t *testing.T, stdin string, name string, args ...string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err == nil
}

func wantAll(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestRadtest(t *testing.T) {
	needRadclient(t)
	t.Parallel()
	b := setup(t, setupOpts{})
	tests := []struct {
		name, method, user, password string
		want                         []string
	}{
		{"pap accept", "pap", "alice", "s3cret", []string{
			"Received Access-Accept", `Mikrotik-Rate-Limit = "2M/5M 4M/10M 1500k/4M 10/10"`, "Session-Timeout = 3600",
			"Acct-Interim-Interval = 60", `Framed-Pool = "hs-pool"`, "Mikrotik-Total-Limit = 1000", "Mikrotik-Total-Limit-Gigawords = 5",
			`WISPr-Session-Terminate-Time = "2030-01-02T15:04:05+03:00"`, "Message-Authenticator = "}},
		{"chap accept", "chap", "alice", "s3cret", []string{"Received Access-Accept", "Mikrotik-Rate-Limit"}},
		{"pap wrong password", "pap", "alice", "guess", []string{"Received Access-Reject", `Reply-Message = "` + radiustest.WrongPassword + `"`, "Message-Authenticator = "}},
		{"chap wrong password", "chap", "alice", "guess", []string{"Received Access-Reject"}},
		{"unknown user", "pap", "mallory", "x", []string{"Received Access-Reject"}},
		{"walled garden", "chap", "bob", "pw", []string{"Received Access-Accept", `Mikrotik-Address-List = "pay-now"`, `Reply-Message = "Your bundle has ended: pay by M-Pesa"`, `Mikrotik-Rate-Limit = "256k/256k"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _ := run(t, "", "radtest", "-t", tt.method, tt.user, tt.password, b.auth, "0", secret)
			wantAll(t, out, tt.want...)
		})
	}
}

// A MikroTik hotspot sends its own CHAP-Challenge: the response is over
// that, not over the Request Authenticator.
func TestCHAPChallenge(t *testing.T) {
	needRadclient(t)
	t.Parallel()
	b := setup(t, setupOpts{})
	for _, tt := range []struct {
		password, want string
	}{{"s3cret", "Received Access-Accept"}, {"nope", "Received Access-Reject"}} {
		in := fmt.Sprintf("User-Name = alice\nCHAP-Password = %q\nCHAP-Challenge = 0x00112233445566778899aabbccddeeff0011\nMessage-Authenticator = 0x00\nCalling-Station-Id = \"aa:bb:cc:dd:ee:ff\"\n", tt.password)
		out, _ := run(t, in, "radclient", "-x", b.auth, "auth", secret)
		wantAll(t, out, tt.want)
	}
}

// A router or proxy asks with Status-Server whether the server is up
// (RFC 5997), on either port; without a Message-Authenticator, or signed
// with another secret, it hears nothing, as for any forged packet.
func TestStatusServer(t *testing.T) {
	needRadclient(t)
	t.Parallel()
	b := setup(t, setupOpts{})
	for _, tt := range []struct {
		name, addr, secret, in string
		want                   string // "" when no answer must come
	}{
		{"auth port", b.auth, secret, "Message-Authenticator = 0x00\n", "Received Access-Accept"},
		{"accounting port", b.acct, secret, "Message-Authenticator = 0x00\n", "Received Accounting-Response"},
		{"without Message-Authenticator", b.auth, secret, "NAS-Identifier = \"probe\"\n", ""},
		{"another secret", b.acct, "guessed", "Message-Authenticator = 0x00\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, ok := run(t, tt.in, "radclient", "-x", "-r", "1", "-t", "1", tt.addr, "status", tt.secret)
			if tt.want == "" {
				if ok || strings.Contains(out, "Received ") {
					t.Errorf("a Status-Server %s was answered:\n%s", tt.name, out)
				}
				return
			}
			wantAll(t, out, tt.want)
		})
	}

	// While billing cannot decide (its database is down), the server is
	// not up for users: silence sends them to another server. A Ping's
	// answer stands for a second.
	probe := func() bool {
		t.Helper()
		time.Sleep(1100 * time.Millisecond)
		out, ok := run(t, "Message-Authenticator = 0x00\n", "radclient", "-x", "-r", "1", "-t", "1", b.auth, "status", secret)
		return ok && strings.Contains(out, "Received Access-Accept")
	}
	b.dec.Fail(errors.New("database down"))
	if probe() {
		t.Errorf("Status-Server answered while billing cannot decide")
	}
	b.dec.Fail(nil)
	if !probe() {
		t.Errorf("Status-Server not answered once billing decides again")
	}

	if n := b.counters.Statuses.Load(); n != 3 {
		t.Errorf("Status-Server answers counted = %d, want 3", n)
	}
	drops := b.counters.Drops()
	if drops[radius.DropNoMsgAuth] != 1 || drops[radius.DropBadMsgAuth] != 1 || drops[radius.DropDeciderError] != 1 {
		t.Errorf("drops = %v; want one without Message-Authenticator, one with a wrong one and one while billing was down", drops)
	}
}
