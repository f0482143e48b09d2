package console

import (
	"net/http"
	"time"
)

// The session cookie: HTTP-only, SameSite=Strict (no other site's link or
// form carries it), and under https __Host- prefixed and Secure, which
// browsers accept only from this very host over https, for every path.
func (h *Handler) cookieName() string {
	if h.Secure {
		return "__Host-mteja_staff"
	}
	return "mteja_staff"
}

func (h *Handler) setCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: token, Path: "/", Expires: expires, MaxAge: int(time.Until(expires).Seconds()),
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteStrictMode})
}

func (h *Handler) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteStrictMode})
}

func (h *Handler) cookieToken(r *http.Request) string {
	c, err := r.Cookie(h.cookieName())
	if err != nil {
		return ""
	}
	return c.Value
}
