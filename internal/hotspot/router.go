package hotspot

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// router is what a MikroTik router tells its login page about the customer
// it sent there, as its hotspot variables: where to post the login
// ($(link-login-only)), where the customer was going ($(link-orig)), their
// device ($(mac), $(ip)) and, for CHAP, $(chap-id) and $(chap-challenge)
// (octal escapes, "\357"). None of it is secret; all of it comes from the
// customer's browser, so each field is checked before it is used.
type router struct {
	Login         string // checked against the allow-list: where the login form posts
	Orig          string // an http(s) URL, or ""
	MAC           string
	IP            string
	ChapID        string
	ChapChallenge string
}

var (
	errNoRouter  = errors.New("no router login URL")
	errBadRouter = errors.New("the router login URL is not allowed")
	macRE        = regexp.MustCompile(`^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$`)
	chapRE       = regexp.MustCompile(`^(?:\\[0-3][0-7]{2})+$`)
)

// readRouter reads the router's variables from a query or form. A login
// URL that is missing or not allowed is an error; the other fields, when
// malformed, are dropped.
func readRouter(v url.Values, hosts Hosts) (router, error) {
	r := router{}
	login := v.Get("link-login-only")
	if login == "" {
		login = v.Get("link-login")
	}
	if login == "" {
		return r, errNoRouter
	}
	u, ok := checkURL(login, 512)
	if !ok || !hosts.Allows(u.Hostname()) {
		return r, errBadRouter
	}
	r.Login = u.String()
	if o, ok := checkURL(v.Get("link-orig"), 1024); ok {
		r.Orig = o.String()
	}
	if m := v.Get("mac"); macRE.MatchString(m) {
		r.MAC = strings.ToUpper(m)
	}
	if a, err := netip.ParseAddr(v.Get("ip")); err == nil {
		r.IP = a.String()
	}
	id, ch := v.Get("chap-id"), v.Get("chap-challenge")
	if len(id) == 4 && chapRE.MatchString(id) && len(ch) <= 4*64 && chapRE.MatchString(ch) {
		r.ChapID, r.ChapChallenge = id, ch
	}
	return r, nil
}

// checkURL parses an absolute http or https URL of at most max bytes, with
// no user name or password in it (a classic trick: "http://10.5.50.1@evil/").
func checkURL(s string, max int) (*url.URL, bool) {
	if s == "" || len(s) > max || strings.ContainsAny(s, " \t\r\n\\") {
		return nil, false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, false
	}
	u.Fragment = ""
	return u, true
}

// query is the router's variables as a query string, for this site's own
// links and redirects: they carry no secret.
func (r router) query() string {
	v := url.Values{"link-login-only": {r.Login}}
	for k, s := range map[string]string{"link-orig": r.Orig, "mac": r.MAC, "ip": r.IP, "chap-id": r.ChapID, "chap-challenge": r.ChapChallenge} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

// origin is the login URL's scheme and host, which the page's policy lets
// forms post to.
func (r router) origin() string {
	u, _ := url.Parse(r.Login)
	return u.Scheme + "://" + u.Host
}

// password is what the login form sends as the password: with CHAP, as
// MikroTik's own login page computes it, MD5(id ‖ password ‖ challenge)
// in hex, so that the password never crosses the customer's network; else
// the password itself (PAP), which the hotspot must allow.
func (r router) password(plain string) string {
	if r.ChapID == "" {
		return plain
	}
	sum := md5.Sum([]byte(octal(r.ChapID) + plain + octal(r.ChapChallenge)))
	return hex.EncodeToString(sum[:])
}

// octal decodes "\357\021..." (checked by chapRE) into its bytes.
func octal(s string) string {
	b := make([]byte, 0, len(s)/4)
	for i := 0; i+3 < len(s); i += 4 {
		b = append(b, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
	}
	return string(b)
}
