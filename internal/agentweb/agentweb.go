// Package agentweb is the agents' light web page at /agent/: an agent user
// signs in with their phone number and PIN, sells a token for cash from the
// outlet's float, reprints a sale's receipt (58 mm wide, for a thermal
// printer) and closes the shift with the cash counted. Pages are rendered
// on the server, need no JavaScript and speak English and Swahili. Agent
// sessions are apart from staff's and customers': an agent's cookie opens
// nothing outside /agent/, and no staff role opens these pages.
package agentweb

import (
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/webpage"
)

// Handler serves the agent pages. DB, Agents and Log are required.
type Handler struct {
	DB      *store.DB
	Agents  *agent.Service
	Log     *slog.Logger
	Utility string // shown on pages and receipts
	// Secure marks the session cookie Secure, with the __Host- prefix: set
	// it whenever the public URL is https.
	Secure bool
	// TokenWait is how long a sale waits for its token before showing the
	// receipt without it. Default 3 s.
	TokenWait time.Duration
	// OnMessages runs after an SMS was queued (a re-sent token), to wake
	// delivery. May be nil.
	OnMessages func()

	csrf *http.CrossOriginProtection
}

// Routes registers the agent pages on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	h.csrf = http.NewCrossOriginProtection()
	if h.TokenWait <= 0 {
		h.TokenWait = 3 * time.Second
	}
	mux.Handle("GET /agent/{$}", h.serve(h.home, false))
	mux.Handle("POST /agent/signin", h.serve(h.signIn, false))
	mux.Handle("POST /agent/signout", h.serve(h.signOut, false))
	mux.Handle("POST /agent/language", h.serve(h.language, false))
	mux.Handle("POST /agent/sell", h.serve(h.sell, true))
	mux.Handle("GET /agent/receipts/{receipt}", h.serve(h.receipt, true))
	mux.Handle("POST /agent/receipts/{receipt}/resend", h.serve(h.resend, true))
	mux.Handle("POST /agent/shift/close", h.serve(h.closeShift, true))
	mux.Handle("POST /agent/phones", h.serve(h.phoneCode, true))
	mux.Handle("POST /agent/phones/confirm", h.serve(h.phoneConfirm, true))
}

//go:embed templates/*.html assets/agent.css
var files embed.FS

// The style is inlined into every page, one request a page on a slow
// network; the Content-Security-Policy admits it by its hash and no script
// at all.
var (
	siteCSS = template.CSS(webpage.Read(files, "assets/agent.css"))
	csp     = fmt.Sprintf("default-src 'none'; style-src %s; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		webpage.Hash(string(siteCSS)))
	pages = webpage.Parse(files, template.FuncMap{
		"amount": func(a interface{ String() string }) string { return "KES\u00a0" + a.String() },
		"when": func(t time.Time) string {
			return t.In(tariff.Zone).Format("02/01/2006 15:04")
		},
	})
)
