package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
)

// visit is one request as the handlers see it: who asks, in which language.
type visit struct {
	r       *http.Request
	lang    string
	session *login.Session   // nil when logged out
	token   string           // the session's token, for logout
	assist  *login.Assistant // who assists, in a hub attendant's assisted session
}

// handlerFunc is a portal handler: it writes a page or returns an error,
// which fail turns into a page.
type handlerFunc func(w http.ResponseWriter, v *visit) error

// open serves a page anyone may see; a logged-in visitor is recognised.
func (h *Handler) open(fn handlerFunc) http.Handler {
	return h.serve(fn, false)
}

// private serves a page for logged-in customers; others are sent to log
// in and brought back.
func (h *Handler) private(fn handlerFunc) http.Handler {
	return h.serve(fn, true)
}

func (h *Handler) serve(fn handlerFunc, private bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &visit{r: r}
		err := h.begin(w, v, private)
		if err == nil {
			err = fn(w, v)
		}
		if err != nil {
			h.fail(w, v, err)
		}
	})
}

// begin recognises the session, picks the language and refuses
// cross-origin form posts (CSRF) before any handler runs.
func (h *Handler) begin(w http.ResponseWriter, v *visit, private bool) error {
	r := v.r
	stored := ""
	if tok := h.Cookies.Token(r); tok != "" {
		s, err := h.Login.Authenticate(r.Context(), tok)
		if errors.Is(err, login.ErrUnauthorized) && h.Assisted != nil {
			s, err = h.assistedSession(v, tok)
		}
		switch {
		case err == nil:
			v.session, v.token = &s, tok
			if stored, err = customer.LanguageOf(r.Context(), h.DB.Read(), s.MSISDN); err != nil {
				return err
			}
		case errors.Is(err, login.ErrUnauthorized):
			h.Cookies.Clear(w)
		default:
			return err
		}
	}
	v.lang = chooseLanguage(r, stored)
	if err := h.csrf.Check(r); err != nil {
		return &pageError{Status: http.StatusForbidden, Key: "error.forbidden", cause: err}
	}
	if err := readForm(w, r); err != nil {
		return err
	}
	if private && v.session == nil {
		return errLogin
	}
	return nil
}

// errLogin sends the visitor to the login page.
var errLogin = errors.New("login required")

// pageError is an error with a status and a message for the visitor.
type pageError struct {
	Status int
	Key    string // message key
	Args   []any
	cause  error
}

func (e *pageError) Error() string {
	if e.cause != nil {
		return e.Key + ": " + e.cause.Error()
	}
	return e.Key
}

func (e *pageError) Unwrap() error { return e.cause }

// fail answers an error with a page in the visitor's language. Internal
// errors are logged in full and shown as "something went wrong".
func (h *Handler) fail(w http.ResponseWriter, v *visit, err error) {
	if v.lang == "" {
		v.lang = chooseLanguage(v.r, "")
	}
	var pe *pageError
	var rl *login.RateLimitError
	var ex *quota.Exceeded
	if errors.As(err, &ex) {
		rl = &login.RateLimitError{What: ex.Rule.Name, RetryAfter: ex.RetryAfter}
		err = rl
	}
	switch {
	case errors.Is(err, errLogin):
		next := v.r.URL.RequestURI()
		if v.r.Method != http.MethodGet {
			next = v.r.URL.Path
		}
		http.Redirect(w, v.r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	case errors.As(err, &pe):
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter/time.Second)))
		pe = &pageError{Status: http.StatusTooManyRequests, Key: "err.wait", Args: []any{wait(v.lang, rl.RetryAfter)}}
	case errors.Is(err, store.ErrNotFound):
		pe = &pageError{Status: http.StatusNotFound, Key: "error.notfound"}
	case errors.Is(err, context.Canceled):
		return
	case store.Unavailable(err):
		// The database is restarting: nothing was stored, and in a minute
		// it will be. Not a 500: the visitor did nothing wrong.
		h.Log.Warn("portal: database unavailable", "method", v.r.Method, "path", v.r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "60")
		pe = &pageError{Status: http.StatusServiceUnavailable, Key: "error.busy"}
	default:
		h.Log.Error("portal", "method", v.r.Method, "path", v.r.URL.Path, "err", err)
		pe = &pageError{Status: http.StatusInternalServerError, Key: "error.internal"}
	}
	p := v.page("error.title", nil)
	p.Err = t(v.lang, pe.Key, pe.Args...)
	if err := h.render(w, v, pe.Status, "error", p); err != nil {
		h.Log.Error("portal: render error page", "err", err)
	}
}

// notFound is the answer for a meter, receipt or purchase that is not the
// visitor's: the same as for one that does not exist.
func notFound() error {
	return &pageError{Status: http.StatusNotFound, Key: "error.notfound"}
}

// safeNext returns next when it is a path on this site, else "/meters", so
// that the login form cannot send a customer elsewhere.
func safeNext(next string) string {
	if !localPath(next) || strings.HasPrefix(next, "/login") {
		return "/meters"
	}
	return next
}

// localPath reports whether p is a path on this site: not another host
// ("//evil.example", "/\evil.example"), not a header trick.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n\t")
}

func redirect(w http.ResponseWriter, v *visit, to string) error {
	http.Redirect(w, v.r, to, http.StatusSeeOther)
	return nil
}
