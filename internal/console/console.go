// Package console is the staff console under /staff/: server-rendered pages,
// light (no JavaScript needed) and keyboard-friendly, in English and
// Swahili, for the utility's care, finance and admin staff and its
// auditors. Staff sign in with a password and a TOTP code; every page and
// every action is allowed by role in one table (routes), which the tests
// walk both ways; every read of a customer record and every action is an
// audit event.
package console

import (
	"log/slog"
	"net/http"
	"slices"

	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// Handler serves the console. DB, Staff and Log are required.
type Handler struct {
	DB      *store.DB
	Staff   *staff.Service
	Log     *slog.Logger
	Utility string // shown in the header ("Mteja Power")
	// Secure marks the session cookie Secure with the __Host- prefix; set
	// it whenever the public URL is https.
	Secure bool
	// Services the pages use; each page says what it needs and is not
	// served without it.
	Services Services

	csrf *http.CrossOriginProtection
}

// Roles that may see a page or take an action; admin holds every role.
var (
	anyone        []string // signed-in staff of any role
	careRoles     = []string{staff.RoleCare}
	financeRoles  = []string{staff.RoleFinance}
	careOrFinance = []string{staff.RoleCare, staff.RoleFinance}
	readerRoles   = []string{staff.RoleCare, staff.RoleFinance, staff.RoleAuditor}
	auditRoles    = []string{staff.RoleAuditor}
	adminRoles    = []string{staff.RoleAdmin}
)

// route is one page or action: who may reach it, and what serves it. open
// routes are for signing in and need no session.
type route struct {
	Method, Pattern string
	Roles           []string // nil: any signed-in staff member
	Open            bool
	fn              handlerFunc
	Menu            string // the menu entry it belongs to, if any
	MaxBody         int64  // bounds a post's body; 0: maxForm
}

// routes is the one table of the console's pages and actions: the core
// here, the operator's set-up (tariffs, meters, faults), finance's
// (reconciliation, reports) and the ISP's in files of their own.
func (h *Handler) routes() []route {
	out := h.coreRoutes()
	out = append(out, h.operatorRoutes()...)
	out = append(out, h.ticketRoutes()...)
	out = append(out, h.outageRoutes()...)
	out = append(out, h.financeRoutes()...)
	out = append(out, h.internetRoutes()...)
	out = append(out, h.hubRoutes()...)
	out = append(out, h.invoiceRoutes()...)
	out = append(out, h.outreachRoutes()...)
	return append(out, h.agentRoutes()...)
}

func (h *Handler) coreRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/staff/{$}", Roles: anyone, fn: h.home},
		{Method: "GET", Pattern: "/staff/signin", Open: true, fn: h.signinForm},
		{Method: "POST", Pattern: "/staff/signin", Open: true, fn: h.signin},
		{Method: "POST", Pattern: "/staff/signout", Open: true, fn: h.signout},
		{Method: "POST", Pattern: "/staff/language", Open: true, fn: h.language},
		{Method: "GET", Pattern: "/staff/setup/{token}", Open: true, fn: h.setupForm},
		{Method: "POST", Pattern: "/staff/setup/{token}", Open: true, fn: h.setup},

		{Method: "GET", Pattern: "/staff/ops", Roles: anyone, fn: h.ops, Menu: "nav.ops"},
		{Method: "GET", Pattern: "/staff/search", Roles: readerRoles, fn: h.search, Menu: "nav.search"},
		{Method: "GET", Pattern: "/staff/customers/{id}", Roles: readerRoles, fn: h.customerPage, Menu: "nav.search"},
		{Method: "GET", Pattern: "/staff/meters/{drn}", Roles: readerRoles, fn: h.meterPage, Menu: "nav.search"},
		{Method: "POST", Pattern: "/staff/meters/{drn}/resend", Roles: careRoles, fn: h.resend},
		{Method: "GET", Pattern: "/staff/decode", Roles: readerRoles, fn: h.decode, Menu: "nav.decode"},
		{Method: "GET", Pattern: "/staff/suspense", Roles: readerRoles, fn: h.suspense, Menu: "nav.suspense"},
		{Method: "POST", Pattern: "/staff/suspense/{id}/assign", Roles: careOrFinance, fn: h.assign},
		{Method: "POST", Pattern: "/staff/suspense/{id}/refund", Roles: financeRoles, fn: h.refund},
		{Method: "POST", Pattern: "/staff/payments/{receipt}/reverse", Roles: financeRoles, fn: h.reverse},

		{Method: "GET", Pattern: "/staff/audit", Roles: auditRoles, fn: h.auditLog, Menu: "nav.audit"},
		{Method: "GET", Pattern: "/staff/users", Roles: adminRoles, fn: h.users, Menu: "nav.users"},
		{Method: "POST", Pattern: "/staff/users", Roles: adminRoles, fn: h.userCreate},
		{Method: "POST", Pattern: "/staff/users/{id}/reset", Roles: adminRoles, fn: h.userReset},
		{Method: "POST", Pattern: "/staff/users/{id}/status", Roles: adminRoles, fn: h.userStatus},
		{Method: "POST", Pattern: "/staff/users/{id}/role", Roles: adminRoles, fn: h.userRole},
	}
}

// Route is a console route as the role table shows it.
type Route struct {
	Method, Pattern string
	Roles           []string // nil: any signed-in staff member
	Open            bool     // no session needed (signing in)
}

// Table lists every route of the console with who may reach it, for the
// tests that walk it both ways and for the README.
func (h *Handler) Table() []Route {
	var out []Route
	for _, r := range h.routes() {
		out = append(out, Route{Method: r.Method, Pattern: r.Pattern, Roles: r.Roles, Open: r.Open})
	}
	return out
}

// Allows reports whether role may reach a route with these roles. A hub
// attendant reaches only routes that name their role: "anyone" means any
// office role, not a counter serving walk-ins.
func Allows(roles []string, role string) bool {
	if roles == nil {
		return role != staff.RoleHub
	}
	return role == staff.RoleAdmin || slices.Contains(roles, role)
}

// Routes registers every console route on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	h.csrf = http.NewCrossOriginProtection()
	for _, r := range h.routes() {
		mux.Handle(r.Method+" "+r.Pattern, h.serve(r))
	}
}
