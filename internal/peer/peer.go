// Package peer says who is at the other end of an HTTP request: the client's
// address, read from X-Forwarded-For only when the connection comes from a
// proxy the operator trusts, and whether the client reached us over https.
// Every rate limit and allow-list asks this package, so that behind a TLS
// proxy each customer is counted as themselves and not as the proxy, and a
// client cannot pick its own address by writing a header.
package peer

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds the client of each request. The zero value trusts no proxy:
// the connection's own address is the client.
type Resolver struct {
	// Trusted lists the proxies whose X-Forwarded-For and X-Forwarded-Proto
	// are believed (MTEJA_TRUSTED_PROXIES).
	Trusted []netip.Prefix
}

type clientKey struct{}

type client struct {
	addr  netip.Addr
	https bool
}

// Wrap resolves the client once per request and keeps it in the request's
// context for Addr, Key and HTTPS.
func (res Resolver) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := res.resolve(r)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, c)))
	})
}

// resolve walks X-Forwarded-For from the right, where the nearest proxy
// wrote the address it saw: each hop that is a trusted proxy passes the
// question on to the hop before it, and the first untrusted hop is the
// client. Entries to the left of it were written by the client itself and
// are never read. A malformed entry stops the walk at the last good hop.
func (res Resolver) resolve(r *http.Request) client {
	c := client{addr: remote(r), https: r.TLS != nil}
	if !res.trusts(c.addr) {
		return c
	}
	hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			break
		}
		c.addr = plain(a)
		if !res.trusts(c.addr) {
			break
		}
	}
	// The proxy says how the client reached it; only the nearest proxy's
	// word counts, so the right-most value is taken.
	if p := lastValue(r.Header.Values("X-Forwarded-Proto")); p != "" {
		c.https = strings.EqualFold(p, "https")
	}
	return c
}

func (res Resolver) trusts(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range res.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// remote is the connection's own peer address.
func remote(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return plain(a)
}

// plain is a as networks are compared with it: an IPv4-mapped IPv6 address
// as the IPv4 address it is, and without an IPv6 zone ("fe80::1%eth0"),
// since netip.Prefix.Contains is false for every zoned address and a proxy
// on the same link would otherwise never be trusted.
func plain(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }

// forwardedFor splits every X-Forwarded-For header into its hops, in order.
func forwardedFor(values []string) []string {
	var hops []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			h = strings.TrimSpace(h)
			// "[2001:db8::1]:443" and "192.0.2.1:443" are seen from some
			// proxies; the port is not part of who the client is.
			if ap, err := netip.ParseAddrPort(h); err == nil {
				h = ap.Addr().String()
			}
			hops = append(hops, h)
		}
	}
	return hops
}

func lastValue(values []string) string {
	if len(values) == 0 {
		return ""
	}
	parts := strings.Split(values[len(values)-1], ",")
	return strings.TrimSpace(parts[len(parts)-1])
}

func from(r *http.Request) client {
	if c, ok := r.Context().Value(clientKey{}).(client); ok {
		return c
	}
	// Not behind Wrap (a handler served on its own in a test): the
	// connection is all there is to go by.
	return client{addr: remote(r), https: r.TLS != nil}
}

// Addr returns the client's address; it is not valid when the request's
// RemoteAddr is not an address (never the case on a real connection).
func Addr(r *http.Request) netip.Addr { return from(r).addr }

// HTTPS reports whether the client reached us over https: this server's own
// TLS, or a trusted proxy's X-Forwarded-Proto.
func HTTPS(r *http.Request) bool { return from(r).https }

// Key names the client for rate limits: its IPv4 address, or its IPv6 /64,
// since one IPv6 subscriber holds a whole /64.
func Key(r *http.Request) string {
	a := Addr(r)
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
