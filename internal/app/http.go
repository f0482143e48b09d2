package app

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/mteja/mteja/internal/peer"
)

// maxBody bounds every request body: the largest anything here reads is a
// 64 KB JSON or Daraja body, and each handler sets its own tighter bound
// (16 KB for forms); this is the wall behind them.
const maxBody = 64<<10 + 1<<10

// handler is what the listener serves: the client's address resolved once
// (through trusted proxies only), the headers every answer carries, and a
// bound on every body, around the routes.
func (a *App) handler() http.Handler {
	routes := a.countUses(a.Mux)
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// No page of ours is meant to be framed (clickjacking) or sniffed
		// into another type; referrers stay on this site.
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if peer.HTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		routes.ServeHTTP(w, r)
	})
	return peer.Resolver{Trusted: a.Config.TrustedProxies}.Wrap(inner)
}

// metricsGuard serves /metrics on the main listener only to holders of the
// metrics token; without a token it is not served there at all.
func (a *App) metricsGuard(next http.Handler) http.Handler {
	token := a.Config.MetricsToken
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if token == "" || !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
