package radius_test

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	layeh "layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/vendors/mikrotik"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/isp/radius/radiustest"
)

// newSender is a server used only to send CoA and Disconnect: it needs
// no listener for that.
func newSender(t *testing.T) *radius.Server {
	t.Helper()
	srv, err := radius.New(radius.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		CoA: radius.CoAConfig{Timeout: 50 * time.Millisecond, Attempts: 3}}, radiustest.NewDecider(false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func fakeNAS(t *testing.T, secret string, answer radiustest.Answer) *radiustest.NAS {
	t.Helper()
	n, err := radiustest.NewNAS([]byte(secret), answer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func TestSendChange(t *testing.T) {
	t.Parallel()
	session := radius.Change{Username: "alice", SessionID: "81a00001", FramedIP: netip.MustParseAddr("10.5.0.7")}
	disconnect, coa := session, session
	disconnect.Disconnect = true
	coa.RateLimit, coa.AddressList = "1M/1M", "fair-use"
	silentFor := func(k int) radiustest.Answer {
		return func(n int, _ *layeh.Packet) (bool, int, bool) { return true, 0, n <= k }
	}
	tests := []struct {
		name      string
		change    radius.Change
		nasSecret string // the fake NAS's; "" the same as ours
		answer    radiustest.Answer
		want      []radius.ChangeOutcome // every attempt
		cause     int
		code      layeh.Code
	}{
		{"disconnect acknowledged", disconnect, "", radiustest.AlwaysACK, []radius.ChangeOutcome{radius.ChangeACK}, 0, layeh.CodeDisconnectRequest},
		{"coa acknowledged", coa, "", radiustest.AlwaysACK, []radius.ChangeOutcome{radius.ChangeACK}, 0, layeh.CodeCoARequest},
		{"session gone", disconnect, "", func(int, *layeh.Packet) (bool, int, bool) {
			return false, radius.ErrorCauseSessionContextNotFound, false
		},
			[]radius.ChangeOutcome{radius.ChangeNAK}, 503, layeh.CodeDisconnectRequest},
		{"answered on the third try", disconnect, "", silentFor(2), []radius.ChangeOutcome{radius.ChangeTimeout, radius.ChangeTimeout, radius.ChangeACK}, 0, layeh.CodeDisconnectRequest},
		{"never answered", coa, "", silentFor(99), []radius.ChangeOutcome{radius.ChangeTimeout, radius.ChangeTimeout, radius.ChangeTimeout}, 0, layeh.CodeCoARequest},
		// A router with another secret discards our requests unanswered.
		{"the router's secret differs", disconnect, "other", radiustest.AlwaysACK, []radius.ChangeOutcome{radius.ChangeTimeout, radius.ChangeTimeout, radius.ChangeTimeout}, 0, 0},
		{"nothing identifies the session", radius.Change{Disconnect: true}, "", radiustest.AlwaysACK, []radius.ChangeOutcome{radius.ChangeError}, 0, 0},
		{"a CoA that changes nothing", session, "", radiustest.AlwaysACK, []radius.ChangeOutcome{radius.ChangeError}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newSender(t)
			nasSecret := tt.nasSecret
			if nasSecret == "" {
				nasSecret = secret
			}
			n := fakeNAS(t, nasSecret, tt.answer)
			c := tt.change
			c.NAS = radius.NAS{ID: "nas-1", Addr: netip.MustParseAddr("127.0.0.1"), Secret: []byte(secret), CoAPort: n.Port()}
			var got []radius.ChangeResult
			last := srv.Send(context.Background(), c, func(r radius.ChangeResult) { got = append(got, r) })
			if len(got) != len(tt.want) {
				t.Fatalf("%d attempts recorded (%+v), want %d", len(got), got, len(tt.want))
			}
			for i, r := range got {
				if r.Attempt != i+1 || r.Outcome != tt.want[i] || r.Final != (i == len(got)-1) {
					t.Errorf("attempt %d: %+v, want outcome %s, final %v", i+1, r, tt.want[i], i == len(got)-1)
				}
			}
			if last != got[len(got)-1] || last.ErrorCause != tt.cause {
				t.Errorf("result %+v, want the last attempt with Error-Cause %d", last, tt.cause)
			}
			if tt.code == 0 {
				return
			}
			reqs := n.Requests()
			if len(reqs) == 0 {
				t.Fatal("the NAS received nothing")
			}
			for _, req := range reqs[1:] { // retransmissions are the same packet
				if req.Identifier != reqs[0].Identifier || req.Authenticator != reqs[0].Authenticator {
					t.Error("a retransmission differs from the first request")
				}
			}
			checkChangeRequest(t, reqs[0], tt.code, c)
		})
	}
}

// checkChangeRequest checks that req identifies c's session as MikroTik
// needs, and carries what a CoA changes.
func checkChangeRequest(t *testing.T, req *layeh.Packet, code layeh.Code, c radius.Change) {
	t.Helper()
	if req.Code != code {
		t.Errorf("code %v, want %v", req.Code, code)
	}
	ip, _ := rfc2865.FramedIPAddress_Lookup(req)
	nasIP, _ := rfc2865.NASIPAddress_Lookup(req)
	if rfc2865.UserName_GetString(req) != c.Username || rfc2866.AcctSessionID_GetString(req) != c.SessionID ||
		!ip.Equal(c.FramedIP.AsSlice()) || !nasIP.Equal(c.NAS.Addr.AsSlice()) {
		t.Errorf("session identified by %q %q %v %v", rfc2865.UserName_GetString(req), rfc2866.AcctSessionID_GetString(req), ip, nasIP)
	}
	if rl, al := mikrotik.MikrotikRateLimit_GetString(req), mikrotik.MikrotikAddressList_GetString(req); rl != c.RateLimit || al != c.AddressList {
		t.Errorf("rate limit %q, address list %q; want %q %q", rl, al, c.RateLimit, c.AddressList)
	}
}

// Billing answers an Interim-Update with "disconnect" (the bundle ran
// out): the router gets its Accounting-Response, then a
// Disconnect-Request for that session.
func TestAccountingDisconnects(t *testing.T) {
	needRadclient(t)
	t.Parallel()
	n := fakeNAS(t, secret, radiustest.AlwaysACK)
	b := setup(t, setupOpts{coaPort: n.Port()})
	b.dec.OnAccount(func(r radius.AcctRecord) radius.AcctResult {
		return radius.AcctResult{Disconnect: r.Status == radius.AcctInterim && r.OutputBytes > 1<<30}
	})
	file := filepath.Join(t.TempDir(), "acct.txt")
	if err := os.WriteFile(file, []byte(sessionFile), 0o600); err != nil {
		t.Fatal(err)
	}
	out, ok := run(t, "", "radclient", "-f", file, b.acct, "acct", secret)
	if !ok {
		t.Fatalf("radclient:\n%s", out)
	}
	select {
	case req := <-n.Got():
		checkChangeRequest(t, req, layeh.CodeDisconnectRequest, radius.Change{Username: "alice", SessionID: "81a00001",
			FramedIP: netip.MustParseAddr("10.5.0.7"), NAS: radius.NAS{Addr: netip.MustParseAddr("127.0.0.1")}})
	case <-time.After(5 * time.Second):
		t.Fatal("no Disconnect-Request reached the NAS")
	}
	time.Sleep(100 * time.Millisecond)
	if got := len(n.Requests()); got != 1 {
		t.Errorf("%d requests reached the NAS, want 1", got)
	}
}

// queue is a radius.ChangeQueue in memory.
type queue struct {
	mu      sync.Mutex
	pending []radius.QueuedChange
	results map[string][]radius.ChangeResult
	final   chan string
}

func (q *queue) ClaimChanges(_ context.Context, n int) ([]radius.QueuedChange, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(n, len(q.pending))
	batch := q.pending[:n]
	q.pending = q.pending[n:]
	return batch, nil
}

func (q *queue) RecordChange(_ context.Context, id string, r radius.ChangeResult) error {
	q.mu.Lock()
	q.results[id] = append(q.results[id], r)
	q.mu.Unlock()
	if r.Final {
		q.final <- id
	}
	return nil
}

func TestRunChanges(t *testing.T) {
	t.Parallel()
	ack := fakeNAS(t, secret, radiustest.AlwaysACK)
	flaky := fakeNAS(t, secret, func(n int, _ *layeh.Packet) (bool, int, bool) { return true, 0, n == 1 })
	nasOf := func(n *radiustest.NAS) radius.NAS {
		return radius.NAS{ID: "nas", Addr: netip.MustParseAddr("127.0.0.1"), Secret: []byte(secret), CoAPort: n.Port()}
	}
	q := &queue{results: make(map[string][]radius.ChangeResult), final: make(chan string, 10), pending: []radius.QueuedChange{
		{ID: "c1", Change: radius.Change{NAS: nasOf(ack), Username: "alice", SessionID: "s1", Disconnect: true}},
		{ID: "c2", Change: radius.Change{NAS: nasOf(ack), Username: "bob", SessionID: "s2", RateLimit: "512k/1M"}},
		{ID: "c3", Change: radius.Change{NAS: nasOf(flaky), Username: "carol", SessionID: "s3", Disconnect: true}},
	}}
	srv := newSender(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- srv.RunChanges(ctx, q, 20*time.Millisecond) }()
	for range 3 {
		select {
		case <-q.final:
		case <-time.After(5 * time.Second):
			t.Fatal("the changes were not all sent")
		}
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("RunChanges returned %v", err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for id, attempts := range map[string]int{"c1": 1, "c2": 1, "c3": 2} {
		rs := q.results[id]
		if len(rs) != attempts || rs[len(rs)-1].Outcome != radius.ChangeACK {
			t.Errorf("%s: %+v, want %d attempts ending in an ACK", id, rs, attempts)
		}
	}
}
