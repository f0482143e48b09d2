// Package api is the JSON HTTP interface: the Daraja callbacks (M-Pesa
// calling us) and the API for apps, integrations and staff tools, described
// by the OpenAPI document at /api/openapi.json.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

// Handler serves the API. Every field is required unless its comment says
// otherwise.
type Handler struct {
	DB       *store.DB
	Desk     *care.Desk // opens the customers' tickets; nil opens them with the defaults
	Intake   *payment.Intake
	STK      *payment.STK      // nil: no STK push (no Daraja client configured)
	Recovery *payment.Recovery // nil: no status queries
	Tariffs  *vend.Tariffs
	Log      *slog.Logger
	Utility  string
	// Daraja guards the M-Pesa callbacks: their secret path segment and
	// the networks allowed to call them. Its zero value admits nobody.
	Daraja peer.Gate
	// ShortCodes are our Paybill and till numbers: a C2B payment to any
	// other is not ours to take.
	ShortCodes []string
	// ISP, when set, is the ISP served beside the utility: payments to its
	// short codes (among ShortCodes) are for its subscribers, and their
	// validation asks it.
	ISP *isp.Service
	// VerifyAbove, when positive, has confirmations of at least this amount
	// confirmed by a transaction status query before they are vended.
	VerifyAbove money.Amount
	// OnMessages runs when a handler queued messages (to wake delivery).
	OnMessages func()
}

// Routes registers every route on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	// M-Pesa Daraja callbacks. Daraja refuses URLs containing "mpesa",
	// "query" and a few other words, hence these names.
	mux.Handle("POST /daraja/{secret}/c2b/validation", h.daraja(h.c2bValidation))
	mux.Handle("POST /daraja/{secret}/c2b/confirmation", h.daraja(h.c2bConfirmation))
	mux.Handle("POST /daraja/{secret}/stk/callback", h.daraja(h.stkCallback))
	mux.Handle("POST /daraja/{secret}/status/result", h.daraja(h.statusResult))
	mux.Handle("POST /daraja/{secret}/status/timeout", h.daraja(h.statusTimeout))

	mux.HandleFunc("GET /api/openapi.json", serveOpenAPI)
	mux.Handle("GET /api/v1/meters/{drn}", h.auth(h.meterGet, staff.RoleIntegration, staff.RoleAgent, staff.RoleCare, staff.RoleFinance))
	mux.Handle("GET /api/v1/meters/{drn}/vends", h.auth(h.meterVends, staff.RoleIntegration, staff.RoleAgent, staff.RoleCare, staff.RoleFinance))
	mux.Handle("POST /api/v1/meters/{drn}/resend", h.auth(h.meterResend, staff.RoleIntegration, staff.RoleAgent, staff.RoleCare))
	mux.Handle("POST /api/v1/meters", h.auth(meterChange(h, http.StatusCreated, h.meterRegister)))
	mux.Handle("PATCH /api/v1/meters/{drn}", h.auth(meterChange(h, http.StatusOK, h.meterEdit), staff.RoleCare))
	mux.Handle("POST /api/v1/meters/{drn}/deactivate", h.auth(meterChange(h, http.StatusOK, h.meterDeactivate), staff.RoleCare))
	mux.Handle("POST /api/v1/meters/{drn}/reactivate", h.auth(meterChange(h, http.StatusOK, h.meterReactivate), staff.RoleCare))
	mux.Handle("POST /api/v1/meters/{drn}/move", h.auth(meterChange(h, http.StatusOK, h.meterMove), staff.RoleCare))
	mux.Handle("POST /api/v1/meters/{drn}/keychange", h.auth(meterChange(h, http.StatusOK, h.meterKeyChange)))
	mux.Handle("POST /api/v1/meters/{drn}/swap", h.auth(meterChange(h, http.StatusOK, h.meterSwap)))
	mux.Handle("GET /api/v1/vends/{id}", h.auth(h.vendGet, staff.RoleIntegration, staff.RoleAgent, staff.RoleCare, staff.RoleFinance))
	mux.Handle("GET /api/v1/payments", h.auth(h.paymentList, staff.RoleCare, staff.RoleFinance))
	mux.Handle("GET /api/v1/payments/{receipt}", h.auth(h.paymentGet, staff.RoleIntegration, staff.RoleCare, staff.RoleFinance))
	mux.Handle("POST /api/v1/payments/{receipt}/reverse", h.auth(h.paymentReverse, staff.RoleFinance))
	mux.Handle("GET /api/v1/suspense", h.auth(h.suspenseList, staff.RoleCare, staff.RoleFinance))
	mux.Handle("POST /api/v1/suspense/{id}/assign", h.auth(h.suspenseAssign, staff.RoleCare, staff.RoleFinance))
	mux.Handle("POST /api/v1/suspense/{id}/refund", h.auth(h.suspenseRefund, staff.RoleFinance))
	mux.Handle("POST /api/v1/purchases", h.auth(h.purchase, staff.RoleIntegration, staff.RoleAgent, staff.RoleCare))
	mux.Handle("POST /api/v1/tickets", h.auth(h.ticketOpen, staff.RoleAgent, staff.RoleCare))
	mux.Handle("POST /api/v1/reconcile/statements", h.auth(h.statementImport, staff.RoleFinance))
	mux.Handle("GET /api/v1/reconcile/exceptions", h.auth(h.exceptionList, staff.RoleFinance))
	mux.Handle("POST /api/v1/reconcile/exceptions/{id}/resolve", h.auth(h.exceptionResolve, staff.RoleFinance))
	mux.Handle("POST /api/v1/reconcile/days/{day}/close", h.auth(h.dayClose, staff.RoleFinance))
	h.meRoutes(mux)
}

// Error is an error with an HTTP status and a message safe to show.
type Error struct {
	Status  int
	Code    string // invalid, not_found, conflict, unauthorized, forbidden, unavailable, rate_limited
	Message string
}

func (e *Error) Error() string { return e.Message }

func invalid(format string, args ...any) error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid", Message: fmt.Sprintf(format, args...)}
}

// handlerFunc is a handler that returns its error; writeError answers it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (h *Handler) serve(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.writeError(w, r, err)
		}
	})
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	var ex *quota.Exceeded
	switch {
	case errors.As(err, &e):
	case errors.As(err, &ex):
		e = meRateLimited(w, ex.RetryAfter).(*Error)
	case errors.Is(err, store.ErrNotFound):
		e = &Error{Status: http.StatusNotFound, Code: "not_found", Message: err.Error()}
	case errors.Is(err, payment.ErrState), errors.Is(err, payment.ErrMeterNotPayable), errors.Is(err, customer.ErrConflict):
		e = &Error{Status: http.StatusConflict, Code: "conflict", Message: err.Error()}
	case errors.Is(err, customer.ErrInvalid):
		e = &Error{Status: http.StatusBadRequest, Code: "invalid", Message: err.Error()}
	case errors.Is(err, staff.ErrUnauthorized):
		e = &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "a valid API key is required (Authorization: Bearer KEY)"}
	case errors.Is(err, context.Canceled):
		return
	default:
		h.Log.Error("api", "method", r.Method, "path", peer.RedactPath(r.URL.Path), "err", err)
		e = &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "Internal error"}
	}
	writeJSON(w, e.Status, map[string]any{"error": map[string]string{"code": e.Code, "message": e.Message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// decodeJSON reads a small JSON request body strictly.
func decodeJSON(r *http.Request, v any) error { return decodeJSONMax(r, v, 64<<10) }

// decodeJSONMax reads a JSON request body of at most max bytes strictly.
func decodeJSONMax(r *http.Request, v any, max int64) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("request body: %v", err)
	}
	return nil
}

type principalKey struct{}

// auth requires an API key holding one of roles.
func (h *Handler) auth(fn handlerFunc, roles ...string) http.Handler {
	return h.serve(func(w http.ResponseWriter, r *http.Request) error {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if key == "" {
			key = r.Header.Get("X-API-Key")
		}
		p, err := staff.Authenticate(r.Context(), h.DB, key)
		if err != nil {
			return err
		}
		if !p.Can(roles...) {
			return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: fmt.Sprintf("role %s may not do this", p.Role)}
		}
		return fn(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

func principal(r *http.Request) staff.Principal {
	p, _ := r.Context().Value(principalKey{}).(staff.Principal)
	return p
}

// amountJSON shows money both exactly (minor units) and for people.
type amountJSON struct {
	Minor   int64  `json:"minor"`
	Display string `json:"display"`
}

func amount(a money.Amount, cur string) amountJSON {
	if cur == "" {
		cur = "KES"
	}
	return amountJSON{Minor: int64(a), Display: a.Format(cur)}
}
