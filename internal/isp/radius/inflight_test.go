package radius_test

import (
	"net"
	"testing"
	"time"

	layeh "layeh.com/radius"
	"layeh.com/radius/rfc2865"

	"github.com/mteja/mteja/internal/isp/radius"
)

// A router whose timeout is shorter than billing's answer resends while
// the first copy is still being decided: the copy is dropped, billing is
// asked once, and the one reply answers both.
func TestRetransmitInFlight(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	b.dec.Delay(300 * time.Millisecond)
	conn, err := net.Dial("udp", b.auth)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	p := layeh.New(layeh.CodeAccessRequest, []byte(secret))
	rfc2865.UserName_SetString(p, "alice")
	rfc2865.UserPassword_SetString(p, "s3cret")
	wire, err := radius.Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	conn.Write(wire)
	time.Sleep(100 * time.Millisecond)
	conn.Write(wire)
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if layeh.Code(buf[0]) != layeh.CodeAccessAccept || !layeh.IsAuthenticResponse(buf[:n], wire, []byte(secret)) {
		t.Errorf("reply code %d, authentic %v", buf[0], layeh.IsAuthenticResponse(buf[:n], wire, []byte(secret)))
	}
	if calls, drops := b.dec.AuthCalls.Load(), b.counters.Drops()[radius.DropInFlight]; calls != 1 || drops != 1 {
		t.Errorf("billing asked %d times, %d in-flight drops; want 1 and 1", calls, drops)
	}
}
