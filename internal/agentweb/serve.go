package agentweb

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/webpage"
)

// visit is one request: who asks, in which language.
type visit struct {
	r     *http.Request
	lang  string
	user  *agent.User // nil when signed out
	token string
}

type handlerFunc func(w http.ResponseWriter, v *visit) error

// serve recognises the session, picks the language, refuses cross-origin
// posts and, for private pages, visitors without a session.
func (h *Handler) serve(fn handlerFunc, private bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &visit{r: r, lang: chooseLanguage(r)}
		err := h.begin(w, v, private)
		if err == nil {
			err = fn(w, v)
		}
		if err != nil {
			h.fail(w, v, err)
		}
	})
}

// maxForm bounds a form body: the largest form is a few fields.
const maxForm = 4 << 10

func (h *Handler) begin(w http.ResponseWriter, v *visit, private bool) error {
	if tok := h.cookies().Token(v.r); tok != "" {
		u, err := h.Agents.Session(v.r.Context(), tok)
		switch {
		case err == nil:
			v.user, v.token = &u, tok
		case errors.Is(err, agent.ErrNotAgent):
			h.cookies().Clear(w)
		default:
			return err
		}
	}
	if err := h.csrf.Check(v.r); err != nil {
		return &pageError{status: http.StatusForbidden, key: "error.forbidden"}
	}
	if v.r.Method == http.MethodPost {
		v.r.Body = http.MaxBytesReader(w, v.r.Body, maxForm)
		if err := v.r.ParseForm(); err != nil {
			return &pageError{status: http.StatusBadRequest, key: "error.form"}
		}
	}
	if private && v.user == nil {
		return errSignIn
	}
	return nil
}

var errSignIn = errors.New("sign-in required")

// pageError is an error with a status and a message key for the visitor.
type pageError struct {
	status int
	key    string
	args   []any
}

func (e *pageError) Error() string { return e.key }

// fail answers an error with a page in the visitor's language; internal
// errors are logged in full and shown as "something went wrong".
func (h *Handler) fail(w http.ResponseWriter, v *visit, err error) {
	if errors.Is(err, errSignIn) {
		http.Redirect(w, v.r, "/agent/", http.StatusSeeOther)
		return
	}
	var pe *pageError
	if !errors.As(err, &pe) {
		h.Log.Error("agent page", "path", v.r.URL.Path, "err", err)
		pe = &pageError{status: http.StatusInternalServerError, key: "error.internal"}
	}
	p := h.page(v, "error.title", nil)
	p.Err = t(v.lang, pe.key, pe.args...)
	if err := h.render(w, pe.status, "error", p); err != nil {
		h.Log.Error("agent error page", "err", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
	}
}

// page is what the layout shows around a page's own data.
type page struct {
	Lang    string
	Title   string
	Utility string
	User    *agent.User
	Outlet  string
	Path    string
	Err     string
	Notice  string
	Receipt bool // the receipt page: printed at 58 mm
	Data    any
	CSS     template.CSS
}

// T translates key into the page's language.
func (p page) T(key string, args ...any) string { return t(p.Lang, key, args...) }

func (h *Handler) page(v *visit, title string, data any) page {
	p := page{Lang: v.lang, Title: t(v.lang, title), User: v.user, Path: v.r.URL.Path, Data: data, CSS: siteCSS}
	if v.r.Method != http.MethodGet {
		// The language switch comes back with a GET: to the home page
		// after a form, not to the form's address.
		p.Path = "/agent/"
	}
	return p
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, p page) error {
	p.Utility = h.Utility
	return pages.Write(w, status, name, csp, p)
}

// cookies carry the agent session: apart from the customers' and staff's,
// so that no session opens another's pages.
func (h *Handler) cookies() login.Cookies {
	return login.Cookies{Secure: h.Secure, Base: "mteja_agent"}
}

// langCookie holds the language chosen on this browser.
const langCookie = "mteja_agent_lang"

func chooseLanguage(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "en" || c.Value == "sw") {
		return c.Value
	}
	if l := webpage.BrowserLanguage(r); l != "" {
		return l
	}
	return "en"
}

// language keeps the visitor's choice of language and goes back.
func (h *Handler) language(w http.ResponseWriter, v *visit) error {
	lang := v.r.PostForm.Get("lang")
	if lang != "en" && lang != "sw" {
		lang = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/agent/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode})
	back := v.r.PostForm.Get("back")
	if !strings.HasPrefix(back, "/agent/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		back = "/agent/"
	}
	http.Redirect(w, v.r, back, http.StatusSeeOther)
	return nil
}
