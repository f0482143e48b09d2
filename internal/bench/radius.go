package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/isp/radius/radiustest"
)

// RadiusOptions of one RADIUS run. Zero fields take the defaults noted.
type RadiusOptions struct {
	Auth int // Access-Requests (PAP, with Message-Authenticator); default 50,000
	Acct int // Accounting-Requests (Interim-Updates); default 50,000
	// NAS is how many routers send, each from its own loopback address
	// (127.0.0.2, .3, ...) with its own secret; default 8.
	NAS int
	// Ports is how many sockets each NAS sends from, each with one
	// request outstanding at a time, as a router's many users do;
	// default 16.
	Ports int
	// Users spread the requests; default 10,000.
	Users int
	// Decider makes the Decider under test; nil is radiustest's in-memory
	// one, which measures the server alone.
	Decider RadiusDecider
	// Radclient, when set, sends the load with Debian's radclient (-c, -p)
	// from one process instead: rates only, no latencies.
	Radclient bool
	Progress  io.Writer // a line per phase; nil for none
}

// RadiusDecider makes the Decider a run measures, knowing the NAS the load
// comes from and the subscribers it logs in as (password = name). It
// returns a name for the report and a function to release it.
//
// This is the hook for billing's own Decider (package isp): open the
// database, store these NAS and users, and return it; `mteja bench radius
// -decider app` is to call it.
type RadiusDecider func(ctx context.Context, nas []radius.NAS, users []string) (d radius.Decider, name string, release func(), err error)

// RadiusResult of one run.
type RadiusResult struct {
	Decider string      `json:"decider"`
	Client  string      `json:"client"`
	Auth    RadiusPhase `json:"auth"`
	Acct    RadiusPhase `json:"acct"`
	// What the server itself counted: Accepts, Accounting-Responses, and
	// dropped packets by reason (none expected).
	ServerAccepts   int64                       `json:"server_accepts"`
	ServerAccounted int64                       `json:"server_accounted"`
	Drops           map[radius.DropReason]int64 `json:"drops,omitempty"`
}

// RadiusPhase is one kind of request's figures. Latency runs from send to
// the reply's arrival, at the client.
type RadiusPhase struct {
	Requests  int     `json:"requests"`
	Answered  int     `json:"answered"`
	Lost      int     `json:"lost"`  // unanswered after two retransmissions
	Wrong     int     `json:"wrong"` // answered, but not as expected
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second"`
	P50       float64 `json:"p50_ms"`
	P95       float64 `json:"p95_ms"`
	P99       float64 `json:"p99_ms"`
}

// Check returns an error when a request went unanswered or was answered
// wrongly.
func (r RadiusResult) Check() error {
	var errs []error
	for _, p := range []struct {
		name string
		RadiusPhase
	}{{"auth", r.Auth}, {"acct", r.Acct}} {
		if p.Lost > 0 || p.Wrong > 0 || p.Answered != p.Requests {
			errs = append(errs, fmt.Errorf("%s: %d requests, %d answered, %d lost, %d wrong", p.name, p.Requests, p.Answered, p.Lost, p.Wrong))
		}
	}
	return errors.Join(errs...)
}

func (o *RadiusOptions) defaults() {
	if o.Auth < 0 {
		o.Auth = 0
	} else if o.Auth == 0 {
		o.Auth = 50_000
	}
	if o.Acct < 0 {
		o.Acct = 0
	} else if o.Acct == 0 {
		o.Acct = 50_000
	}
	if o.NAS <= 0 {
		o.NAS = 8
	}
	if o.Ports <= 0 {
		o.Ports = 16
	}
	if o.Users <= 0 {
		o.Users = 10_000
	}
	if o.Decider == nil {
		o.Decider = fakeRadiusDecider
	}
}

// fakeRadiusDecider is radiustest's Decider: users held in a map, records
// counted, not kept.
func fakeRadiusDecider(_ context.Context, nas []radius.NAS, users []string) (radius.Decider, string, func(), error) {
	d := radiustest.NewDecider(false)
	for _, n := range nas {
		d.AddNAS(n)
	}
	for _, u := range users {
		d.AddUser(u, radiustest.User{Password: u, Decision: radius.AuthDecision{Verdict: radius.Accept, RateLimit: "2M/5M 4M/10M 1500k/4M 10/10",
			SessionTimeout: time.Hour, DataLimit: 5 << 30, AddressList: "customers"}})
	}
	return d, "fake (in memory)", func() {}, nil
}

// Radius measures the RADIUS server: Access-Requests, then
// Accounting-Requests, each phase flat out from NAS × Ports senders.
func Radius(ctx context.Context, o RadiusOptions) (RadiusResult, error) {
	o.defaults()
	nas := make([]radius.NAS, o.NAS)
	for i := range nas {
		nas[i] = radius.NAS{ID: fmt.Sprintf("bench-nas-%d", i+1), Name: fmt.Sprintf("bench-nas-%d", i+1),
			Addr: netip.AddrFrom4([4]byte{127, 0, 0, byte(2 + i)}), Secret: fmt.Appendf(nil, "bench-shared-secret-%d", i+1)}
	}
	if o.Radclient {
		// radclient sends from the host's own address.
		nas = []radius.NAS{{ID: "bench-radclient", Name: "radclient", Addr: netip.MustParseAddr("127.0.0.1"), Secret: []byte("bench-shared-secret")}}
	}
	users := make([]string, o.Users)
	for i := range users {
		users[i] = fmt.Sprintf("sub%05d", i)
	}
	d, name, release, err := o.Decider(ctx, nas, users)
	if err != nil {
		return RadiusResult{}, fmt.Errorf("decider: %w", err)
	}
	defer release()
	counters := &radius.Counters{}
	srv, err := radius.New(radius.Config{AuthAddr: "127.0.0.1:0", AcctAddr: "127.0.0.1:0", Metrics: counters,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, d)
	if err != nil {
		return RadiusResult{}, err
	}
	if err := srv.Start(); err != nil {
		return RadiusResult{}, err
	}
	defer srv.Close()
	res := RadiusResult{Decider: name, Client: "in-process (layeh.com/radius)"}
	if o.Radclient {
		res.Client = "radclient"
		res.Auth, err = radclientPhase(ctx, srv.AuthAddr().String(), "auth", o.Auth, o.Ports, nas[0].Secret, users)
		if err == nil {
			res.Acct, err = radclientPhase(ctx, srv.AcctAddr().String(), "acct", o.Acct, o.Ports, nas[0].Secret, users)
		}
	} else {
		l := loader{nas: nas, users: users, ports: o.Ports}
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "sending %d Access-Requests, then %d Interim-Updates, from %d NAS × %d ports\n", o.Auth, o.Acct, o.NAS, o.Ports)
		}
		if o.Auth > 0 {
			res.Auth, err = l.phase(ctx, srv.AuthAddr().AddrPort(), o.Auth, l.access)
		}
		if err == nil && o.Acct > 0 {
			res.Acct, err = l.phase(ctx, srv.AcctAddr().AddrPort(), o.Acct, l.accounting)
		}
	}
	if err != nil {
		return res, err
	}
	res.ServerAccepts, res.ServerAccounted = counters.Accepts.Load(), counters.Accounted.Load()
	res.Drops = counters.Drops()
	return res, nil
}

// sortedMS sorts latencies and returns p50, p95, p99 in milliseconds.
func sortedMS(d []time.Duration) (p50, p95, p99 float64) {
	ms := make([]float64, len(d))
	for i, x := range d {
		ms[i] = float64(x.Microseconds()) / 1000
	}
	sort.Float64s(ms)
	return pct(ms, .50), pct(ms, .95), pct(ms, .99)
}

// tally gathers a phase's figures from its senders.
type tally struct {
	mu        sync.Mutex
	latencies []time.Duration
	answered  atomic.Int64
	lost      atomic.Int64
	wrong     atomic.Int64
}

func (t *tally) add(l []time.Duration) {
	t.mu.Lock()
	t.latencies = append(t.latencies, l...)
	t.mu.Unlock()
}
