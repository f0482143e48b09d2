package ussd

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/mteja/mteja/internal/peer"
)

// Handler serves the gateway's USSD callback and its end-of-session
// notification.
type Handler struct {
	b    Backend
	opts Options
	once *onceCache
	mux  *http.ServeMux
}

// NewHandler returns the USSD handler over b. It serves POST /ussd/{secret}
// and POST /ussd/{secret}/events itself; Routes registers the same on
// another mux.
func NewHandler(b Backend, opts Options) *Handler {
	opts = opts.withDefaults()
	h := &Handler{
		b:    b,
		opts: opts,
		once: newOnceCache(opts.DedupeTTL, opts.DedupeMax, opts.Now),
		mux:  http.NewServeMux(),
	}
	h.Routes(h.mux)
	return h
}

// Routes registers the handler's endpoints on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("POST /ussd/{secret}", h.handle(h.callback))
	mux.Handle("POST /ussd/{secret}/events", h.handle(h.event))
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// httpError is an answer other than 200, with a reason the gateway's
// operator can act on.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// handle checks the gate (secret and source), runs fn and writes its
// error, if any. A caller the gate does not admit gets the 404 of a path
// that does not exist: the callback cannot be probed, and nothing runs.
func (h *Handler) handle(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.opts.Gate.Admits(r) {
			http.NotFound(w, r)
			return
		}
		err := fn(w, r)
		if err == nil {
			return
		}
		var he *httpError
		if errors.As(err, &he) {
			http.Error(w, he.msg, he.status)
			return
		}
		h.opts.Logger.LogAttrs(r.Context(), slog.LevelError, "ussd request failed",
			slog.String("path", peer.RedactPath(r.URL.Path)), slog.String("err", err.Error()))
		http.Error(w, "internal error", http.StatusInternalServerError)
	})
}
