package radius_test

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp/radius"
)

// A session's life as a MikroTik reports it, read from a file by radclient:
// Start, an Interim-Update past 4 GiB each way (so gigawords), and a Stop
// the router had to resend (Acct-Delay-Time).
const sessionFile = `Acct-Status-Type = Start
User-Name = alice
Acct-Session-Id = "81a00001"
Framed-IP-Address = 10.5.0.7
Calling-Station-Id = "aa:bb:cc:dd:ee:ff"
NAS-Identifier = hotspot-1

Acct-Status-Type = Interim-Update
User-Name = alice
Acct-Session-Id = "81a00001"
Framed-IP-Address = 10.5.0.7
Acct-Session-Time = 300
Acct-Input-Octets = 1000
Acct-Input-Gigawords = 2
Acct-Output-Octets = 4294967295
Acct-Output-Gigawords = 1

Acct-Status-Type = Stop
User-Name = alice
Acct-Session-Id = "81a00001"
Framed-IP-Address = 10.5.0.7
Acct-Session-Time = 600
Acct-Input-Octets = 2000
Acct-Input-Gigawords = 2
Acct-Output-Octets = 7
Acct-Output-Gigawords = 3
Acct-Terminate-Cause = User-Request
Acct-Delay-Time = 4
`

func TestAccountingFromFile(t *testing.T) {
	needRadclient(t)
	t.Parallel()
	b := setup(t, setupOpts{})
	file := filepath.Join(t.TempDir(), "acct.txt")
	if err := os.WriteFile(file, []byte(sessionFile), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, ok := run(t, "", "radclient", "-x", "-f", file, b.acct, "acct", secret)
	if !ok || strings.Count(out, "Received Accounting-Response") != 3 {
		t.Fatalf("radclient (ok %v):\n%s", ok, out)
	}
	recs := b.dec.Records()
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	want := []struct {
		status        radius.AcctStatus
		in, out       int64
		sessionTime   time.Duration
		cause         string
		delayedBy4Sec bool
	}{
		{radius.AcctStart, 0, 0, 0, "", false},
		{radius.AcctInterim, 2<<32 + 1000, 1<<32 + 4294967295, 5 * time.Minute, "", false},
		{radius.AcctStop, 2<<32 + 2000, 3<<32 + 7, 10 * time.Minute, "User-Request", true},
	}
	for i, w := range want {
		r := recs[i]
		if r.Status != w.status || r.InputBytes != w.in || r.OutputBytes != w.out || r.SessionTime != w.sessionTime || r.TerminateCause != w.cause {
			t.Errorf("record %d = %+v, want %+v", i, r, w)
		}
		if r.Username != "alice" || r.SessionID != "81a00001" || r.FramedIP != netip.MustParseAddr("10.5.0.7") || r.NAS.ID != "nas-1" {
			t.Errorf("record %d identifies %q %q %v %q", i, r.Username, r.SessionID, r.FramedIP, r.NAS.ID)
		}
		if delayed := r.At.Before(start.Add(-3 * time.Second)); delayed != w.delayedBy4Sec {
			t.Errorf("record %d at %v (start %v): Acct-Delay-Time not applied as it should be", i, r.At, start)
		}
	}
	if recs[0].CallingStationID != "AA:BB:CC:DD:EE:FF" {
		t.Errorf("Calling-Station-Id %q, want upper case", recs[0].CallingStationID)
	}
}

// A reply lost on the way back: radclient resends the same packet, and
// gets the same reply from the cache, without billing being asked again.
func TestRetransmitAnsweredFromCache(t *testing.T) {
	needRadclient(t)
	t.Parallel()
	for _, tt := range []struct {
		name, port, typ, in string
		calls               func(b *testBundle) int64
	}{
		{"access", "auth", "auth", "User-Name = alice\nUser-Password = s3cret\nMessage-Authenticator = 0x00\n", func(b *testBundle) int64 { return b.dec.AuthCalls.Load() }},
		{"accounting", "acct", "acct", "Acct-Status-Type = Interim-Update\nUser-Name = alice\nAcct-Session-Id = \"81a00001\"\nAcct-Input-Octets = 10\n", func(b *testBundle) int64 { return b.dec.AcctCalls.Load() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, setupOpts{})
			addr := b.auth
			if tt.port == "acct" {
				addr = b.acct
			}
			proxy := lossyProxy(t, addr, 1)
			out, _ := run(t, tt.in, "radclient", "-x", "-r", "3", "-t", "1", proxy, tt.typ, secret)
			if !strings.Contains(out, "Received") {
				t.Fatalf("no answer after the retransmit:\n%s", out)
			}
			if n := tt.calls(b); n != 1 {
				t.Errorf("billing asked %d times, want 1", n)
			}
			if n := b.counters.Cached.Load(); n != 1 {
				t.Errorf("%d answers from the cache, want 1", n)
			}
		})
	}
}

// lossyProxy relays datagrams between one client and server, losing the
// first lose replies, as a congested link would.
func lossyProxy(t *testing.T, server string, lose int) string {
	t.Helper()
	front, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := net.ResolveUDPAddr("udp", server)
	back, err := net.DialUDP("udp", nil, sa)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { front.Close(); back.Close() })
	var client atomic.Pointer[netip.AddrPort]
	go func() {
		buf := make([]byte, 4096)
		for {
			n, from, err := front.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			client.Store(&from)
			back.Write(buf[:n])
		}
	}()
	go func() {
		buf := make([]byte, 4096)
		for lost := 0; ; {
			n, err := back.Read(buf)
			if err != nil {
				return
			}
			if lost < lose {
				lost++
				continue
			}
			if c := client.Load(); c != nil {
				front.WriteToUDPAddrPort(buf[:n], *c)
			}
		}
	}()
	return front.LocalAddr().String()
}
