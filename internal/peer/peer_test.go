package peer_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/mteja/mteja/internal/peer"
)

// seen is what a handler behind the resolver learns about its client.
type seen struct {
	addr  string
	key   string
	https bool
}

// through sends r through res to a handler and returns what it saw.
func through(res peer.Resolver, r *http.Request) seen {
	var s seen
	res.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s = seen{addr: peer.Addr(r).String(), key: peer.Key(r), https: peer.HTTPS(r)}
	})).ServeHTTP(httptest.NewRecorder(), r)
	return s
}

func prefixes(ss ...string) []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range ss {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}

// The proxies trusted in these tests: a private IPv4 network, an IPv6
// one, and the link-local network (a proxy on the same link).
var trusted = peer.Resolver{Trusted: prefixes("10.0.0.0/8", "2001:db8:ffff::/48", "fe80::/10")}

func TestResolver(t *testing.T) {
	for _, tc := range []struct {
		name   string
		remote string
		xff    []string // X-Forwarded-For headers, in order
		proto  []string // X-Forwarded-Proto headers, in order
		tls    bool
		want   string
		https  bool
	}{
		// A client that is not a trusted proxy is itself, whatever it writes.
		{name: "untrusted peer", remote: "198.51.100.7:5000", want: "198.51.100.7"},
		{name: "untrusted peer's X-Forwarded-For", remote: "198.51.100.7:5000", xff: []string{"203.0.113.7"}, want: "198.51.100.7"},
		{name: "untrusted peer names a trusted proxy", remote: "198.51.100.7:5000", xff: []string{"10.0.0.2"}, want: "198.51.100.7"},
		{name: "untrusted peer's X-Forwarded-Proto", remote: "198.51.100.7:5000", proto: []string{"https"}, want: "198.51.100.7"},
		{name: "untrusted peer over TLS", remote: "198.51.100.7:5000", tls: true, want: "198.51.100.7", https: true},
		{name: "untrusted IPv6 peer", remote: "[2001:db8:1:2::5]:5000", xff: []string{"203.0.113.7"}, want: "2001:db8:1:2::5"},
		{name: "untrusted IPv4-mapped peer", remote: "[::ffff:198.51.100.7]:5000", xff: []string{"203.0.113.7"}, want: "198.51.100.7"},
		{name: "RemoteAddr without a port", remote: "198.51.100.7", want: "198.51.100.7"},

		// A trusted proxy's X-Forwarded-For names the client.
		{name: "trusted proxy without the header", remote: "10.0.0.2:5000", want: "10.0.0.2"},
		{name: "trusted proxy", remote: "10.0.0.2:5000", xff: []string{"203.0.113.7"}, want: "203.0.113.7"},
		{name: "client's own entry to the left", remote: "10.0.0.2:5000", xff: []string{"1.2.3.4, 203.0.113.7"}, want: "203.0.113.7"},
		{name: "client's own header first", remote: "10.0.0.2:5000", xff: []string{"1.2.3.4", "203.0.113.7"}, want: "203.0.113.7"},
		{name: "two trusted proxies", remote: "10.0.0.2:5000", xff: []string{"203.0.113.7, 10.0.0.3"}, want: "203.0.113.7"},
		{name: "trusted address forged left of the client", remote: "10.0.0.2:5000", xff: []string{"10.0.0.9, 203.0.113.7, 10.0.0.3"}, want: "203.0.113.7"},
		{name: "every hop trusted", remote: "10.0.0.2:5000", xff: []string{"10.0.0.9, 10.0.0.3"}, want: "10.0.0.9"},
		{name: "IPv4-mapped trusted proxy", remote: "[::ffff:10.0.0.2]:5000", xff: []string{"203.0.113.7"}, want: "203.0.113.7"},
		{name: "IPv6 trusted proxy", remote: "[2001:db8:ffff::2]:5000", xff: []string{"203.0.113.7"}, want: "203.0.113.7"},
		{name: "link-local trusted proxy with a zone", remote: "[fe80::2%eth0]:5000", xff: []string{"203.0.113.7"}, want: "203.0.113.7"},
		{name: "IPv6 client", remote: "10.0.0.2:5000", xff: []string{"2001:db8:1:2::5"}, want: "2001:db8:1:2::5"},
		{name: "IPv4-mapped client", remote: "10.0.0.2:5000", xff: []string{"::ffff:203.0.113.7"}, want: "203.0.113.7"},
		{name: "IPv4 entry with a port", remote: "10.0.0.2:5000", xff: []string{"203.0.113.7:5555"}, want: "203.0.113.7"},
		{name: "IPv6 entry with a port", remote: "10.0.0.2:5000", xff: []string{"[2001:db8:1:2::5]:443"}, want: "2001:db8:1:2::5"},
		{name: "spaces around entries", remote: "10.0.0.2:5000", xff: []string{"  1.2.3.4 ,203.0.113.7  "}, want: "203.0.113.7"},

		// A malformed entry stops the walk at the last good hop, so that a
		// client's own junk to the left changes nothing.
		{name: "malformed entry left of the client", remote: "10.0.0.2:5000", xff: []string{"garbage, 203.0.113.7"}, want: "203.0.113.7"},
		{name: "malformed right-most entry", remote: "10.0.0.2:5000", xff: []string{"203.0.113.7, garbage"}, want: "10.0.0.2"},
		{name: "malformed entry between proxies", remote: "10.0.0.2:5000", xff: []string{"203.0.113.7, unknown, 10.0.0.3"}, want: "10.0.0.3"},
		{name: "empty right-most entry", remote: "10.0.0.2:5000", xff: []string{"203.0.113.7,"}, want: "10.0.0.2"},
		{name: "empty header", remote: "10.0.0.2:5000", xff: []string{""}, want: "10.0.0.2"},
		{name: "IPv6 entry in brackets without a port", remote: "10.0.0.2:5000", xff: []string{"[2001:db8:1:2::5]"}, want: "10.0.0.2"},

		// X-Forwarded-Proto counts only from a trusted proxy, and only the
		// nearest proxy's (right-most) value.
		{name: "trusted proxy says https", remote: "10.0.0.2:5000", xff: []string{"203.0.113.7"}, proto: []string{"https"}, want: "203.0.113.7", https: true},
		{name: "trusted proxy says HTTPS", remote: "10.0.0.2:5000", proto: []string{"HTTPS"}, want: "10.0.0.2", https: true},
		{name: "trusted proxy says http over TLS", remote: "10.0.0.2:5000", proto: []string{"http"}, tls: true, want: "10.0.0.2"},
		{name: "trusted proxy says nothing over TLS", remote: "10.0.0.2:5000", tls: true, want: "10.0.0.2", https: true},
		{name: "client's http, proxy's https", remote: "10.0.0.2:5000", proto: []string{"http, https"}, want: "10.0.0.2", https: true},
		{name: "client's https, proxy's http", remote: "10.0.0.2:5000", proto: []string{"https", "http"}, want: "10.0.0.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			for _, v := range tc.proto {
				r.Header.Add("X-Forwarded-Proto", v)
			}
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			got := through(trusted, r)
			if got.addr != tc.want || got.https != tc.https {
				t.Errorf("client %s, https %v; want %s, https %v", got.addr, got.https, tc.want, tc.https)
			}
		})
	}
}

// Without trusted proxies (the zero Resolver, and MTEJA_TRUSTED_PROXIES
// unset), no header is believed, even from the proxies above.
func TestResolverTrustsNobodyByDefault(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.2:5000"
	r.Header.Set("X-Forwarded-For", "203.0.113.7")
	r.Header.Set("X-Forwarded-Proto", "https")
	if got := through(peer.Resolver{}, r); got.addr != "10.0.0.2" || got.https {
		t.Errorf("client %s, https %v; want 10.0.0.2 over http", got.addr, got.https)
	}
}

// Key names a rate limit's bucket: an IPv4 address, or an IPv6 /64.
func TestKey(t *testing.T) {
	for _, tc := range []struct{ remote, xff, want string }{
		{"198.51.100.7:5000", "", "198.51.100.7"},
		{"[::ffff:198.51.100.7]:5000", "", "198.51.100.7"},
		{"[2001:db8:1:2::5]:5000", "", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::9]:5000", "", "2001:db8:1:2::/64"},
		{"[fe80::5%eth0]:5000", "", "fe80::/64"},
		{"10.0.0.2:5000", "203.0.113.7", "203.0.113.7"},
		{"10.0.0.2:5000", "2001:db8:1:2::5", "2001:db8:1:2::/64"},
		{"pipe", "", "unknown"},
		{"", "", "unknown"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := through(trusted, r).key; got != tc.want {
			t.Errorf("peer %q, X-Forwarded-For %q: key %q, want %q", tc.remote, tc.xff, got, tc.want)
		}
	}
}

// A handler served without Wrap (as in some tests) sees the connection's
// own peer and TLS, and never a header.
func TestWithoutWrap(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.2:5000"
	r.Header.Set("X-Forwarded-For", "203.0.113.7")
	r.Header.Set("X-Forwarded-Proto", "https")
	if a, k, s := peer.Addr(r).String(), peer.Key(r), peer.HTTPS(r); a != "10.0.0.2" || k != "10.0.0.2" || s {
		t.Errorf("Addr %s, Key %s, HTTPS %v; want 10.0.0.2, 10.0.0.2, false", a, k, s)
	}
	r.TLS = &tls.ConnectionState{}
	if !peer.HTTPS(r) {
		t.Error("HTTPS false on a TLS connection")
	}
}
