package console

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// Services are the domain services the console's pages call. The zero
// value serves the pages that need none.
type Services struct {
	// OnMessages runs after an action queued an SMS, to wake delivery.
	OnMessages func()
	// Decode reads a token with a meter's decoder key; nil: tokens are
	// only looked up in the records.
	Decode Decoder
	// Routes tells this node's SMS routes' health, for the operations page.
	Routes func() []notify.RouteStatus
	// OnReceived runs after a payment became ready to vend (a suspense
	// payment assigned), to wake the vend worker.
	OnReceived func()
	// Desk is customer care's tickets; nil works them with the defaults.
	Desk *care.Desk
	// Charter is the service charter: the ticket queue marks cases past
	// its escalation point or target, the monthly report shows its
	// figures; nil leaves both out.
	Charter *charter.Charter
	// ISP is the ISP's billing, for the Internet pages; nil: they answer
	// not found and the menu leaves them out.
	ISP *isp.Service
	// Login sends customers' consent codes and opens hub attendants'
	// assisted sessions; nil: the hub's queue works, assisting does not.
	Login *login.Service
	// Customers is the customer portal's session cookie, which an assisted
	// session is carried in, so that the portal's own pages serve it.
	Customers login.Cookies
	// OnOutage runs after an outage changed, to wake the sweep of its
	// notices (each node also sweeps every half minute).
	OnOutage func()
}

// maxForm bounds a console form post; a route that takes an upload (a
// statement, a tariff file) sets its own bound.
const maxForm = 32 << 10

// visit is one request as the handlers see it.
type visit struct {
	r       *http.Request
	lang    string
	session *staff.Session // nil on open routes when signed out
	token   string
	route   route
}

// user is the signed-in staff member.
func (v *visit) user() staff.User { return v.session.User }

// handlerFunc is a console handler: it writes a page or returns an error,
// which fail turns into a page.
type handlerFunc func(w http.ResponseWriter, v *visit) error

func (h *Handler) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &visit{r: r, route: rt}
		err := h.begin(w, v)
		if err == nil {
			err = rt.fn(w, v)
		}
		if err != nil {
			h.fail(w, v, err)
		}
	})
}

// Errors that become pages.
var (
	errSignIn    = errors.New("sign in required")
	errForbidden = errors.New("not allowed for this role")
)

// begin bounds the body, recognises the session, picks the language,
// refuses cross-origin posts (CSRF) and checks the route's roles, before
// any handler runs.
func (h *Handler) begin(w http.ResponseWriter, v *visit) error {
	r := v.r
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, cmp.Or(v.route.MaxBody, maxForm))
	}
	v.lang = chooseLanguage(r)
	if err := h.csrf.Check(r); err != nil {
		return &pageError{Status: http.StatusForbidden, Key: "error.forbidden", cause: err}
	}
	if tok := h.cookieToken(r); tok != "" {
		s, err := h.Staff.Authenticate(r.Context(), tok)
		switch {
		case err == nil:
			v.session, v.token = &s, tok
		case errors.Is(err, staff.ErrSignedOut):
			h.clearCookie(w)
		default:
			return err
		}
	}
	if v.route.Open {
		return nil
	}
	if v.session == nil {
		return errSignIn
	}
	if !Allows(v.route.Roles, v.user().Role) {
		return errForbidden
	}
	return nil
}

// pageError is an error with a status and a message for the visitor.
type pageError struct {
	Status int
	Key    string
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

// fail answers an error with a page in the visitor's language; internal
// errors are logged in full and shown as "something went wrong".
func (h *Handler) fail(w http.ResponseWriter, v *visit, err error) {
	var pe *pageError
	var ex *quota.Exceeded
	var mb *http.MaxBytesError
	switch {
	case errors.Is(err, errSignIn):
		next := v.r.URL.RequestURI()
		if v.r.Method != http.MethodGet {
			next = v.r.URL.Path
		}
		http.Redirect(w, v.r, "/staff/signin?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	case errors.As(err, &pe):
	case errors.Is(err, errForbidden):
		pe = &pageError{Status: http.StatusForbidden, Key: "error.role"}
	case errors.As(err, &ex):
		w.Header().Set("Retry-After", strconv.Itoa(int(max(ex.RetryAfter, time.Second)/time.Second)))
		pe = &pageError{Status: http.StatusTooManyRequests, Key: "error.wait", Args: []any{ex.RetryAfter.Round(time.Second).String()}}
	case errors.As(err, &mb):
		pe = &pageError{Status: http.StatusRequestEntityTooLarge, Key: "error.toolarge"}
	case errors.Is(err, store.ErrNotFound):
		pe = &pageError{Status: http.StatusNotFound, Key: "error.notfound"}
	case errors.Is(err, payment.ErrState), errors.Is(err, payment.ErrMeterNotPayable):
		pe = &pageError{Status: http.StatusConflict, Key: "error.conflict", Args: []any{err.Error()}}
	case errors.Is(err, context.Canceled):
		return
	default:
		h.Log.Error("console", "method", v.r.Method, "path", v.r.URL.Path, "err", err)
		pe = &pageError{Status: http.StatusInternalServerError, Key: "error.internal"}
	}
	p := h.page(v, "error.title", nil)
	p.Err = t(v.lang, pe.Key, pe.Args...)
	if err := h.render(w, v, pe.Status, "error", p); err != nil {
		h.Log.Error("console: render error page", "err", err)
	}
}

// audit records that the signed-in user read or did something; every read
// of a customer record is one, for the auditors.
func (h *Handler) audit(v *visit, action, subject, detail string) error {
	return h.DB.InTx(v.r.Context(), func(tx *store.Tx) error {
		return payment.Audit(tx, v.user().Actor(), action, subject, detail)
	})
}

// clientAddress names the visitor for limits.
func clientAddress(r *http.Request) string { return login.ClientAddress(r) }

// safeNext returns next when it is a console path, else the console home,
// so that the sign-in form cannot send anyone elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/staff/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") ||
		strings.HasPrefix(next, "/staff/signin") || strings.HasPrefix(next, "/staff/setup") {
		return "/staff/"
	}
	return next
}

func redirect(w http.ResponseWriter, v *visit, to string) error {
	http.Redirect(w, v.r, to, http.StatusSeeOther)
	return nil
}

// formValue reads one field of a posted form, trimmed; a body that is too
// large or unreadable is an error of its own.
func formValue(v *visit, name string) (string, error) {
	if err := v.r.ParseForm(); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return "", err
		}
		return "", &pageError{Status: http.StatusBadRequest, Key: "error.form", cause: fmt.Errorf("form: %w", err)}
	}
	return strings.TrimSpace(v.r.PostFormValue(name)), nil
}
