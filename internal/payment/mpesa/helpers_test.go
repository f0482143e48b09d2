package mpesa

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable time source shared by a client and a simulator.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: sampleTime} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// received is one callback that reached the receiver, decoded.
type received struct {
	path  string
	raw   []byte
	value any // C2B, STKCallback or StatusResult
}

// receiver plays Mteja's callback endpoints: it decodes what arrives with the
// package's decoders and keeps it.
type receiver struct {
	t        testing.TB
	srv      *httptest.Server
	mu       sync.Mutex
	got      []received
	validate func(C2B) ValidationResponse // default Accept
	block    chan struct{}                // when set, validation waits on it (or the caller giving up)
}

func newReceiver(t testing.TB) *receiver {
	rc := &receiver{t: t}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	return rc
}

func (rc *receiver) url(path string) string { return rc.srv.URL + "/daraja/SECRET" + path }

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	b, err := ReadBody(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/daraja/SECRET")
	var v any
	var reply any = ResultAck
	switch path {
	case "/c2b/validation":
		c, err := DecodeC2BValidation(bytes.NewReader(b))
		if err != nil {
			writeJSON(w, http.StatusOK, Reject(C2BOtherError))
			return
		}
		if rc.block != nil {
			select {
			case <-rc.block:
			case <-r.Context().Done():
				return
			}
		}
		resp := Accept()
		if rc.validate != nil {
			resp = rc.validate(c)
		}
		v, reply = c, resp
	case "/c2b/confirmation":
		v, err = DecodeC2B(bytes.NewReader(b))
		reply = ConfirmationAck
	case "/stk/callback":
		v, err = DecodeSTKCallback(bytes.NewReader(b))
		reply = STKCallbackAck
	case "/status/result", "/status/timeout", "/reversal/result", "/reversal/timeout":
		v, err = DecodeStatusResult(bytes.NewReader(b))
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		rc.t.Errorf("%s: %v", path, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.got = append(rc.got, received{path: path, raw: b, value: v})
	rc.mu.Unlock()
	writeJSON(w, http.StatusOK, reply)
}

// at returns what arrived at path, in arrival order.
func (rc *receiver) at(path string) []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []received
	for _, g := range rc.got {
		if g.path == path {
			out = append(out, g)
		}
	}
	return out
}

// counter counts requests per path in front of a handler.
type counter struct {
	next  http.Handler
	oauth atomic.Int64
	api   atomic.Int64
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/oauth/v1/generate") {
		c.oauth.Add(1)
	} else {
		c.api.Add(1)
	}
	c.next.ServeHTTP(w, r)
}

type bundle struct {
	sim    *Simulator
	client *Client
	rcv    *receiver
	count  *counter
	clock  *clock
	apiURL string
}

// setup starts a simulator behind an httptest server, a receiver for its
// callbacks and a client for it, all on one settable clock.
func setup(t testing.TB, cfg SimConfig) *bundle {
	t.Helper()
	clk := newClock()
	if cfg.Now == nil {
		cfg.Now = clk.Now
	}
	cfg.ConsumerKey, cfg.ConsumerSecret = "app-key", "app-secret"
	cfg.Seed = 42
	sim := NewSimulator(cfg)
	cnt := &counter{next: sim}
	api := httptest.NewServer(cnt)
	rcv := newReceiver(t)
	t.Cleanup(func() {
		sim.Close()
		api.Close()
		rcv.srv.Close()
	})
	b := &bundle{sim: sim, rcv: rcv, count: cnt, clock: clk, apiURL: api.URL}
	b.client = b.newClient()
	return b
}

// newClient makes another client of the same app (sharing its credentials,
// not its token).
func (b *bundle) newClient() *Client {
	return &Client{
		BaseURL: b.apiURL, ConsumerKey: "app-key", ConsumerSecret: "app-secret",
		ShortCode: b.sim.ShortCode(), Passkey: b.sim.Passkey(),
		Initiator: "apiop", SecurityCredential: "c2VjcmV0", Now: b.clock.Now,
	}
}

// register registers the receiver's C2B URLs with the given version.
func (b *bundle) register(t testing.TB, version string) {
	t.Helper()
	b.client.C2BVersion = version
	if _, err := b.client.RegisterC2BURLs(t.Context(), b.rcv.url("/c2b/confirmation"), b.rcv.url("/c2b/validation"), ResponseCompleted); err != nil {
		t.Fatalf("register: %v", err)
	}
}
