package peer

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// AllowList is the source networks allowed to call a callback. The zero
// value allows nobody; Any, set only by the word "any", allows everybody.
type AllowList struct {
	Any      bool
	Prefixes []netip.Prefix
}

// ParseAllowList reads comma-separated CIDRs or single addresses, or the
// word "any". An empty string gives an empty list, which allows nobody.
func ParseAllowList(s string) (AllowList, error) {
	var l AllowList
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case strings.EqualFold(f, "any"):
			l.Any = true
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, err2 := netip.ParseAddr(f)
			if err2 != nil {
				return AllowList{}, fmt.Errorf("%q is not a CIDR, an address or the word any", f)
			}
			a = plain(a)
			p = netip.PrefixFrom(a, a.BitLen())
		}
		// Addresses are unmapped before they are compared, so an
		// IPv4-mapped network ("::ffff:192.0.2.0/120") must become the
		// IPv4 one it means, or it would match nobody.
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		l.Prefixes = append(l.Prefixes, p.Masked())
	}
	if l.Any && len(l.Prefixes) > 0 {
		return AllowList{}, fmt.Errorf("%q: \"any\" cannot be combined with networks", s)
	}
	return l, nil
}

// Empty reports whether the list names nothing (neither "any" nor a network).
func (l AllowList) Empty() bool { return !l.Any && len(l.Prefixes) == 0 }

// Allows reports whether a may call.
func (l AllowList) Allows(a netip.Addr) bool {
	if l.Any {
		return true
	}
	if !a.IsValid() {
		return false
	}
	a = plain(a)
	for _, p := range l.Prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// String gives the list back in the form ParseAllowList reads.
func (l AllowList) String() string {
	if l.Any {
		return "any"
	}
	parts := make([]string, len(l.Prefixes))
	for i, p := range l.Prefixes {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

// Gate guards a gateway's callbacks (M-Pesa Daraja, the USSD gateway, the
// HTTP SMS gateway): the request's {secret} path segment must equal Secret
// and the client must be on Allow. An empty Secret opens nothing.
type Gate struct {
	Secret string
	Allow  AllowList
	// Open, when true, lets any source through that knows the secret (the
	// allow-list is optional for this gateway and was left empty).
	Open bool
}

// Admits reports whether r may reach the callback. The comparison takes the
// same time whatever the guess, so the secret cannot be found byte by byte.
func (g Gate) Admits(r *http.Request) bool {
	if g.Secret == "" {
		return false
	}
	if subtle.ConstantTimeCompare([]byte(r.PathValue("secret")), []byte(g.Secret)) != 1 {
		return false
	}
	if g.Open && g.Allow.Empty() {
		return true
	}
	return g.Allow.Allows(Addr(r))
}

// Guard serves next only to requests the gate admits; every other caller
// gets the same plain 404 as a path that does not exist, and no work is
// done, not even reading the body.
func (g Gate) Guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.Admits(r) {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RedactPath hides a callback's secret path segment ("/daraja/SECRET/c2b"
// becomes "/daraja/***/c2b") for logs and stored records.
func RedactPath(p string) string {
	for _, gw := range []string{"/daraja/", "/ussd/", "/sms/"} {
		if strings.HasPrefix(p, gw) {
			rest := p[len(gw):]
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				return gw + "***" + rest[i:]
			}
			if rest != "" {
				return gw + "***"
			}
		}
	}
	return p
}
