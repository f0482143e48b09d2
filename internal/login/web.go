package login

import (
	"net/http"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/peer"
)

// Cookies carries a web session in a cookie: HTTP-only, so page scripts
// never see it, and SameSite=Lax, so other sites' forms do not carry it.
// Cross-origin form posts are refused outright by the portal's
// http.CrossOriginProtection; the cookie settings are the second wall.
type Cookies struct {
	// Secure marks the cookie Secure and gives it the __Host- prefix, which
	// browsers accept only from HTTPS. Set it whenever the public URL is
	// https, as it must be in production.
	Secure bool
	// Base names the cookie, "mteja_session" when "": another set of
	// pages with sessions of its own (agents') names its own, so that no
	// session opens another's pages.
	Base string
}

// Name is the session cookie's name.
func (c Cookies) Name() string {
	base := c.Base
	if base == "" {
		base = "mteja_session"
	}
	if c.Secure {
		return "__Host-" + base
	}
	return base
}

// Set gives the browser the session's token.
func (c Cookies) Set(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: token, Path: "/", Expires: expires, MaxAge: int(time.Until(expires).Seconds()),
		HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode})
}

// Clear removes the session cookie.
func (c Cookies) Clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode})
}

// Token returns the session token the request's cookie carries, or "".
func (c Cookies) Token(r *http.Request) string {
	ck, err := r.Cookie(c.Name())
	if err != nil {
		return ""
	}
	return ck.Value
}

// BearerToken returns the token of an "Authorization: Bearer TOKEN" header,
// or "".
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return ""
	}
	return strings.TrimSpace(h[7:])
}

// ClientAddress names the client for rate limits: its IPv4 address, or its
// IPv6 /64, since one IPv6 subscriber holds a whole /64. The address is the
// connection's peer, or what a trusted proxy says in X-Forwarded-For (see
// package peer), never what the client writes itself.
func ClientAddress(r *http.Request) string { return peer.Key(r) }
