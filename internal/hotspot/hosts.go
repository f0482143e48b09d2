package hotspot

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// Hosts is the allow-list of the routers' login URLs (MikroTik's
// link-login): the captive page posts a customer's username and password
// there, so it must never be a host an attacker chose. Its zero value
// allows private IP addresses only: a hotspot's login URL is the router's
// own address on the customer's network (10.5.50.1, 192.168.88.1), which
// nobody on the internet can receive a post at, so a forged link-login
// cannot carry credentials or the customer away. Host names (a hotspot's
// DNS name) must be listed.
type Hosts struct {
	Names    []string       // host names, lower case, matched exactly
	Prefixes []netip.Prefix // addresses
	// Private also allows every private address (10/8, 172.16/12,
	// 192.168/16, fc00::/7); true in the zero value's place.
	Private bool
	set     bool // parsed from a setting, not the default
}

var hostnameRE = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// ParseHosts reads MTEJA_ISP_HOTSPOT_HOSTS: comma-separated host names,
// IP addresses, prefixes (10.0.0.0/8) and the word "private". "" is the
// default: private addresses only.
func ParseHosts(s string) (Hosts, error) {
	var h Hosts
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		h.set = true
		if f == "private" {
			h.Private = true
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			h.Prefixes = append(h.Prefixes, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			h.Prefixes = append(h.Prefixes, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		if !hostnameRE.MatchString(f) {
			return Hosts{}, fmt.Errorf("hotspot hosts: %q is not a host name, address, prefix or \"private\"", f)
		}
		h.Names = append(h.Names, f)
	}
	return h, nil
}

// Allows reports whether a login URL may point at host (a name or an IP
// address, without port or brackets).
func (h Hosts) Allows(host string) bool {
	host = strings.ToLower(host)
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return false
		}
		a = a.Unmap()
		if (h.Private || !h.set) && a.IsPrivate() {
			return true
		}
		for _, p := range h.Prefixes {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	for _, n := range h.Names {
		if n == host {
			return true
		}
	}
	return false
}

// String writes the list as it is set.
func (h Hosts) String() string {
	if !h.set {
		return "private"
	}
	var out []string
	if h.Private {
		out = append(out, "private")
	}
	for _, p := range h.Prefixes {
		out = append(out, p.String())
	}
	return strings.Join(append(out, h.Names...), ",")
}
