// Package hotspot is a hotspot's captive page: the page a MikroTik router
// sends a customer to before they are online. It is light (one request a
// page, at most 30 KB with its style, no script needed) and speaks English
// and Swahili. The customer buys a bundle by M-Pesa (an STK prompt to the
// phone they type; the page refreshes itself until paid, then shows the
// new account's username and password) or types a voucher, and then logs
// in to the router by posting to its login URL, PAP or CHAP as MikroTik's
// own login page does.
//
// The router's login URL arrives in the page's address, from the
// customer's browser: it is checked against an allow-list (Hosts), so that
// the page posts credentials only to a router and never redirects anyone
// elsewhere.
package hotspot

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/seal"
	"github.com/mteja/mteja/internal/store"
)

// Handler serves the captive page under /hotspot/. Every field but Secure
// is required.
type Handler struct {
	DB   *store.DB
	ISP  *isp.Service
	Seal *seal.Sealer // seals the browser's ticket (see ticket.go)
	// Hosts are the routers' login URLs the page may post to
	// (MTEJA_ISP_HOTSPOT_HOSTS).
	Hosts Hosts
	Name  string // the ISP's name, in the header
	Log   *slog.Logger
	// Secure marks the ticket cookie Secure: the page is served over https.
	Secure bool

	csrf    *http.CrossOriginProtection
	connect *login.Limiter // voucher logins shown, per client address
}

// Routes registers the captive page's routes on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	h.csrf = http.NewCrossOriginProtection()
	h.connect = login.NewLimiter(0.5, 20)
	mux.Handle("GET /hotspot/{$}", h.serve(h.captive))
	// A router set to /hotspot without the slash lands on the page too,
	// its variables kept.
	mux.HandleFunc("GET /hotspot", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/hotspot/?"+r.URL.RawQuery, http.StatusMovedPermanently)
	})
	mux.Handle("POST /hotspot/buy", h.serve(h.buy))
	mux.Handle("GET /hotspot/wait", h.serve(h.wait))
	mux.Handle("POST /hotspot/voucher", h.serve(h.voucher))
}

// visit is one request: its language, and the router that sent the
// customer.
type visit struct {
	r      *http.Request
	lang   string
	router router
}

type handlerFunc func(w http.ResponseWriter, v *visit) error

// maxForm bounds a form post: the largest, the buy form with the router's
// variables, is under 2 KB.
const maxForm = 8 << 10

// serve checks what every request needs (same-origin posts, a readable
// form, a router's login URL that is allowed) before the handler runs.
func (h *Handler) serve(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &visit{r: r}
		err := h.csrf.Check(r)
		if err != nil {
			err = &pageError{Status: http.StatusForbidden, Key: "err.form", cause: err}
		} else {
			if r.Method == http.MethodPost {
				r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			}
			if perr := r.ParseForm(); perr != nil {
				err = &pageError{Status: http.StatusBadRequest, Key: "err.form", cause: perr}
			}
		}
		// The language is read from the form only once it is parsed
		// within its bound.
		v.lang = chooseLanguage(r)
		if err == nil {
			if v.router, err = readRouter(r.Form, h.Hosts); err != nil {
				err = &pageError{Status: http.StatusBadRequest, Key: "err.router", cause: err}
			}
		}
		if err == nil {
			err = fn(w, v)
		}
		if err != nil {
			h.fail(w, v, err)
		}
	})
}

// pageError is an error with a status and a message key.
type pageError struct {
	Status int
	Key    string
	cause  error
}

func (e *pageError) Error() string {
	if e.cause != nil {
		return e.Key + ": " + e.cause.Error()
	}
	return e.Key
}

func (e *pageError) Unwrap() error { return e.cause }

// fail answers an error with a page that offers no form: with a bad
// router URL there is nowhere safe to post.
func (h *Handler) fail(w http.ResponseWriter, v *visit, err error) {
	var pe *pageError
	var ex *quota.Exceeded
	var rl *login.RateLimitError
	switch {
	case errors.As(err, &pe):
	case errors.As(err, &ex), errors.As(err, &rl):
		pe = &pageError{Status: http.StatusTooManyRequests, Key: "err.wait"}
	default:
		h.Log.Error("hotspot", "method", v.r.Method, "path", v.r.URL.Path, "err", err)
		pe = &pageError{Status: http.StatusInternalServerError, Key: "err.internal"}
	}
	p := h.page(v, "error.title", nil)
	p.Err = t(v.lang, pe.Key)
	if err := h.render(w, pe.Status, "error", p); err != nil {
		h.Log.Error("hotspot: render error page", "err", err)
	}
}
