package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	layeh "layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"

	"github.com/mteja/mteja/internal/isp/radius"
)

// loader sends RADIUS load as routers do: many NAS, each from many
// sockets, one request outstanding per socket, retransmitting the same
// packet after a second without an answer.
type loader struct {
	nas   []radius.NAS
	users []string
	ports int
}

// request builds the nth request from nas and says the code that must
// answer it.
type request func(nas radius.NAS, n int) (*layeh.Packet, layeh.Code)

// access is a hotspot login by PAP (MikroTik's CHAP cannot be replayed by
// a load tool without recomputing it; PAP costs the server the same MD5s).
func (l loader) access(nas radius.NAS, n int) (*layeh.Packet, layeh.Code) {
	p := layeh.New(layeh.CodeAccessRequest, nas.Secret)
	u := l.users[n%len(l.users)]
	rfc2865.UserName_SetString(p, u)
	rfc2865.UserPassword_SetString(p, u)
	rfc2865.NASIdentifier_SetString(p, nas.Name)
	rfc2865.NASPortType_Set(p, rfc2865.NASPortType_Value_Wireless80211)
	rfc2865.CallingStationID_SetString(p, mac(n))
	rfc2865.CalledStationID_SetString(p, "hotspot1")
	rfc2865.FramedIPAddress_Set(p, net.IPv4(10, 5, byte(n>>8), byte(n)))
	return p, layeh.CodeAccessAccept
}

// accounting is an Interim-Update past 4 GiB (gigawords set).
func (l loader) accounting(nas radius.NAS, n int) (*layeh.Packet, layeh.Code) {
	p := layeh.New(layeh.CodeAccountingRequest, nas.Secret)
	p.Authenticator = [16]byte{} // Encode computes it
	rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_InterimUpdate)
	rfc2865.UserName_SetString(p, l.users[n%len(l.users)])
	rfc2866.AcctSessionID_SetString(p, fmt.Sprintf("%08x", n))
	rfc2865.NASIdentifier_SetString(p, nas.Name)
	rfc2865.FramedIPAddress_Set(p, net.IPv4(10, 5, byte(n>>8), byte(n)))
	rfc2865.CallingStationID_SetString(p, mac(n))
	rfc2866.AcctSessionTime_Set(p, rfc2866.AcctSessionTime(300))
	rfc2866.AcctInputOctets_Set(p, rfc2866.AcctInputOctets(n*1000))
	rfc2869.AcctInputGigawords_Set(p, 1)
	rfc2866.AcctOutputOctets_Set(p, rfc2866.AcctOutputOctets(n*7000))
	rfc2869.AcctOutputGigawords_Set(p, 3)
	return p, layeh.CodeAccountingResponse
}

func mac(n int) string {
	return fmt.Sprintf("02:00:%02X:%02X:%02X:%02X", byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// phase sends total requests to server, flat out, and measures them.
func (l loader) phase(ctx context.Context, server netip.AddrPort, total int, build request) (RadiusPhase, error) {
	var (
		next atomic.Int64
		t    tally
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	start := time.Now()
	for _, nas := range l.nas {
		for range l.ports {
			wg.Go(func() {
				if err := send(ctx, nas, server, total, &next, build, &t); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	ph := RadiusPhase{Requests: total, Answered: int(t.answered.Load()), Lost: int(t.lost.Load()), Wrong: int(t.wrong.Load()), Seconds: el}
	if el > 0 {
		ph.PerSecond = float64(ph.Answered) / el
	}
	ph.P50, ph.P95, ph.P99 = sortedMS(t.latencies)
	return ph, errors.Join(errs...)
}

// send is one NAS port: it takes request numbers until total is reached.
func send(ctx context.Context, nas radius.NAS, server netip.AddrPort, total int, next *atomic.Int64, build request, t *tally) error {
	conn, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(nas.Addr, 0)), net.UDPAddrFromAddrPort(server))
	if err != nil {
		return fmt.Errorf("NAS %s: %w", nas.Addr, err)
	}
	defer conn.Close()
	lat := make([]time.Duration, 0, 1024)
	defer func() { t.add(lat) }()
	buf := make([]byte, layeh.MaxPacketLength)
	var id byte
	for ctx.Err() == nil {
		n := int(next.Add(1) - 1)
		if n >= total {
			return nil
		}
		p, want := build(nas, n)
		p.Identifier = id
		id++
		wire, err := radius.Encode(p)
		if err != nil {
			return err
		}
		sent := time.Now()
		answered, right := false, false
		for try := 0; try < 3 && !answered; try++ {
			if _, err := conn.Write(wire); err != nil {
				return err
			}
			conn.SetReadDeadline(time.Now().Add(time.Second))
			for {
				k, err := conn.Read(buf)
				if err != nil {
					break // a second without an answer: retransmit
				}
				if k < 20 || buf[1] != p.Identifier {
					continue // a late answer to an earlier request
				}
				answered = true
				right = layeh.Code(buf[0]) == want && layeh.IsAuthenticResponse(buf[:k], wire, nas.Secret)
				break
			}
		}
		switch {
		case !answered:
			t.lost.Add(1)
		case !right:
			t.wrong.Add(1)
		default:
			t.answered.Add(1)
			lat = append(lat, time.Since(sent))
		}
	}
	return ctx.Err()
}
