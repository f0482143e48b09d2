package radiustest

import (
	"errors"
	"net"
	"net/netip"
	"sync"

	layeh "layeh.com/radius"
	"layeh.com/radius/rfc3576"

	"github.com/mteja/mteja/internal/isp/radius"
)

// NAS plays a router's side of RFC 5176: it listens for CoA- and
// Disconnect-Requests, checks them as RouterOS does (the request
// authenticator under its secret), and answers as Answer says.
type NAS struct {
	Secret []byte
	conn   *net.UDPConn

	mu       sync.Mutex
	answer   Answer
	requests []*layeh.Packet
	got      chan *layeh.Packet
}

// Answer decides the reply to the nth request received (from 1): ack or
// NAK with errorCause (0 for none); silent sends nothing.
type Answer func(n int, req *layeh.Packet) (ack bool, errorCause int, silent bool)

// AlwaysACK acknowledges every request.
func AlwaysACK(int, *layeh.Packet) (bool, int, bool) { return true, 0, false }

// NewNAS listens on an ephemeral loopback port.
func NewNAS(secret []byte, answer Answer) (*NAS, error) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	n := &NAS{Secret: secret, conn: conn, answer: answer, got: make(chan *layeh.Packet, 100)}
	go n.serve()
	return n, nil
}

// Port is where it listens, for radius.NAS.CoAPort.
func (n *NAS) Port() int { return n.conn.LocalAddr().(*net.UDPAddr).Port }

// Got delivers each authentic request as it arrives.
func (n *NAS) Got() <-chan *layeh.Packet { return n.got }

// Requests returns the authentic requests received so far.
func (n *NAS) Requests() []*layeh.Packet {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*layeh.Packet(nil), n.requests...)
}

func (n *NAS) Close() error { return n.conn.Close() }

func (n *NAS) serve() {
	buf := make([]byte, layeh.MaxPacketLength)
	for {
		size, src, err := n.conn.ReadFromUDPAddrPort(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		b := append([]byte(nil), buf[:size]...)
		if !layeh.IsAuthenticRequest(b, n.Secret) {
			continue
		}
		req, err := layeh.Parse(b, n.Secret)
		if err != nil {
			continue
		}
		n.reply(req, src)
	}
}

func (n *NAS) reply(req *layeh.Packet, src netip.AddrPort) {
	n.mu.Lock()
	n.requests = append(n.requests, req)
	count := len(n.requests)
	n.mu.Unlock()
	select {
	case n.got <- req:
	default:
	}
	ack, cause, silent := n.answer(count, req)
	if silent {
		return
	}
	code := map[bool]layeh.Code{true: layeh.CodeDisconnectACK, false: layeh.CodeDisconnectNAK}[ack]
	if req.Code == layeh.CodeCoARequest {
		code = map[bool]layeh.Code{true: layeh.CodeCoAACK, false: layeh.CodeCoANAK}[ack]
	}
	resp := req.Response(code)
	if cause != 0 {
		rfc3576.ErrorCause_Add(resp, rfc3576.ErrorCause(cause))
	}
	// Signed as RouterOS 7 signs it, Message-Authenticator first.
	b, err := radius.Encode(resp)
	if err != nil {
		return
	}
	n.conn.WriteToUDPAddrPort(b, src)
}
