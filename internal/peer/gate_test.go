package peer_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/peer"
)

func TestParseAllowList(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    string // the list as String gives it back
		allows  []string
		refuses []string
	}{
		{in: "", want: "", refuses: []string{"127.0.0.1", "::1", "203.0.113.7"}},
		{in: " , ", want: "", refuses: []string{"127.0.0.1"}},
		{in: "any", want: "any", allows: []string{"203.0.113.7", "2001:db8::1", "::ffff:10.0.0.1"}},
		{in: " ANY ", want: "any", allows: []string{"203.0.113.7"}},
		{in: "any,any", want: "any", allows: []string{"203.0.113.7"}},
		{in: "10.0.0.0/8", want: "10.0.0.0/8", allows: []string{"10.1.2.3", "::ffff:10.1.2.3"}, refuses: []string{"11.0.0.1", "::a00:1"}},
		{in: "10.1.2.3/8", want: "10.0.0.0/8", allows: []string{"10.200.0.1"}},
		{in: "192.0.2.1", want: "192.0.2.1/32", allows: []string{"192.0.2.1"}, refuses: []string{"192.0.2.2"}},
		{in: "::ffff:192.0.2.1", want: "192.0.2.1/32", allows: []string{"192.0.2.1", "::ffff:192.0.2.1"}},
		{in: "::ffff:192.0.2.0/120", want: "192.0.2.0/24", allows: []string{"192.0.2.9", "::ffff:192.0.2.9"}, refuses: []string{"192.0.3.1"}},
		{in: "2001:db8::1", want: "2001:db8::1/128", allows: []string{"2001:db8::1"}, refuses: []string{"2001:db8::2"}},
		{in: "fe80::1%eth0", want: "fe80::1/128", allows: []string{"fe80::1"}},
		{in: "2001:db8::/32, 192.0.2.0/24,", want: "2001:db8::/32,192.0.2.0/24", allows: []string{"2001:db8:5::1", "192.0.2.200"}, refuses: []string{"2001:db9::1", "192.0.3.1"}},
	} {
		l, err := peer.ParseAllowList(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if l.String() != tc.want {
			t.Errorf("%q reads as %q, want %q", tc.in, l.String(), tc.want)
		}
		if l.Empty() != (tc.want == "") {
			t.Errorf("%q: Empty() = %v", tc.in, l.Empty())
		}
		again, err := peer.ParseAllowList(l.String())
		if err != nil || again.String() != l.String() {
			t.Errorf("%q: String %q reads back as %q, %v", tc.in, l.String(), again.String(), err)
		}
		for _, a := range tc.allows {
			if !l.Allows(netip.MustParseAddr(a)) {
				t.Errorf("%q refuses %s", tc.in, a)
			}
		}
		for _, a := range tc.refuses {
			if l.Allows(netip.MustParseAddr(a)) {
				t.Errorf("%q allows %s", tc.in, a)
			}
		}
		if !l.Any && l.Allows(netip.Addr{}) {
			t.Errorf("%q allows an unknown address", tc.in)
		}
	}
}

func TestParseAllowListErrors(t *testing.T) {
	for _, in := range []string{
		"any, 10.0.0.0/8",
		"10.0.0.0/8,any",
		"10.0.0.0/33",
		"10.0.0.0/",
		"10.0.0",
		"example.com",
		"10.0.0.0/8; 192.0.2.0/24",
		"*",
		"anyone",
		"fe80::/10%eth0",
	} {
		if l, err := peer.ParseAllowList(in); err == nil {
			t.Errorf("%q read as %q, want an error", in, l.String())
		}
	}
}

// A gate admits a request only with its secret and from an allowed source;
// an empty secret admits nobody, and an empty allow-list admits nobody
// unless the gateway is Open.
func TestGateAdmits(t *testing.T) {
	const secret = "s3cret-s3cret-s3cret"
	ours := peer.AllowList{Prefixes: prefixes("192.0.2.0/24")}
	for _, tc := range []struct {
		name   string
		gate   peer.Gate
		secret string // the request's {secret}
		from   string
		want   bool
	}{
		{"empty secret", peer.Gate{Allow: ours}, "", "192.0.2.1", false},
		{"empty secret, open, any", peer.Gate{Allow: peer.AllowList{Any: true}, Open: true}, "", "192.0.2.1", false},
		{"empty list", peer.Gate{Secret: secret}, secret, "192.0.2.1", false},
		{"empty list, open", peer.Gate{Secret: secret, Open: true}, secret, "203.0.113.7", true},
		{"open with a list, outside it", peer.Gate{Secret: secret, Allow: ours, Open: true}, secret, "203.0.113.7", false},
		{"open with a list, inside it", peer.Gate{Secret: secret, Allow: ours, Open: true}, secret, "192.0.2.1", true},
		{"allowed source", peer.Gate{Secret: secret, Allow: ours}, secret, "192.0.2.1", true},
		{"allowed IPv4-mapped source", peer.Gate{Secret: secret, Allow: ours}, secret, "::ffff:192.0.2.1", true},
		{"other source", peer.Gate{Secret: secret, Allow: ours}, secret, "203.0.113.7", false},
		{"any", peer.Gate{Secret: secret, Allow: peer.AllowList{Any: true}}, secret, "203.0.113.7", true},
		{"wrong secret", peer.Gate{Secret: secret, Allow: ours}, "wrong", "192.0.2.1", false},
		{"secret's prefix", peer.Gate{Secret: secret, Allow: ours}, secret[:len(secret)-1], "192.0.2.1", false},
		{"secret and more", peer.Gate{Secret: secret, Allow: ours}, secret + "x", "192.0.2.1", false},
		{"no secret given", peer.Gate{Secret: secret, Allow: ours}, "", "192.0.2.1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/daraja/x/c2b", nil)
			r.RemoteAddr = netip.AddrPortFrom(netip.MustParseAddr(tc.from), 5000).String()
			r.SetPathValue("secret", tc.secret)
			if got := tc.gate.Admits(r); got != tc.want {
				t.Errorf("Admits = %v, want %v", got, tc.want)
			}
		})
	}
}

// Behind a trusted proxy the gate asks about the client the proxy names,
// not the proxy; a client of an untrusted peer cannot name itself.
func TestGateBehindProxy(t *testing.T) {
	const secret = "s3cret-s3cret-s3cret"
	g := peer.Gate{Secret: secret, Allow: peer.AllowList{Prefixes: prefixes("192.0.2.0/24")}}
	mux := http.NewServeMux()
	mux.Handle("POST /daraja/{secret}/c2b", g.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "reached")
	})))
	h := trusted.Wrap(mux)
	for _, tc := range []struct {
		name, remote, xff string
		want              int
	}{
		{"allowed client through the proxy", "10.0.0.2:5000", "192.0.2.1", http.StatusOK},
		{"other client through the proxy", "10.0.0.2:5000", "203.0.113.7", http.StatusNotFound},
		{"other client naming an allowed one", "10.0.0.2:5000", "192.0.2.1, 203.0.113.7", http.StatusNotFound},
		{"the proxy itself", "10.0.0.2:5000", "", http.StatusNotFound},
		{"untrusted peer naming an allowed one", "203.0.113.7:5000", "192.0.2.1", http.StatusNotFound},
		{"allowed peer, directly", "192.0.2.1:5000", "", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &readCounter{r: strings.NewReader(`{"TransID":"X"}`)}
			r := httptest.NewRequest(http.MethodPost, "/daraja/"+secret+"/c2b", body)
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
			if tc.want == http.StatusNotFound && body.n > 0 {
				t.Errorf("a refused request's body was read (%d bytes)", body.n)
			}
		})
	}
}

// readCounter counts the bytes read from a request body.
type readCounter struct {
	r io.Reader
	n int
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestRedactPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/daraja/s3cret/c2b/confirmation", "/daraja/***/c2b/confirmation"},
		{"/daraja/s3cret/stk/callback", "/daraja/***/stk/callback"},
		{"/ussd/s3cret", "/ussd/***"},
		{"/ussd/s3cret/events", "/ussd/***/events"},
		{"/sms/s3cret/inbound", "/sms/***/inbound"},
		{"/sms/s3cret/delivery", "/sms/***/delivery"},
		{"/daraja//c2b", "/daraja/***/c2b"},
		{"/daraja/", "/daraja/"},
		{"/daraja", "/daraja"},
		{"/ussd", "/ussd"},
		{"/api/v1/payments", "/api/v1/payments"},
		{"/sim/daraja/s3cret", "/sim/daraja/s3cret"},
		{"/smsx/s3cret", "/smsx/s3cret"},
		{"", ""},
	} {
		if got := peer.RedactPath(tc.in); got != tc.want {
			t.Errorf("RedactPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
