package console

import (
	"cmp"
	"errors"
	"net/http"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// Who works the ISP's pages. Care serves subscribers (accounts, passwords,
// suspensions, sessions); finance owns vouchers (printed cash) and reads
// revenue; admins change plans and routers: a plan is both a price and
// what the network gives (speeds, shared users, address pools), as a
// tariff is, which only admins import; a router's secret opens RADIUS.
// Auditors read all of it and change nothing.
var (
	internetReaders = readerRoles
	voucherReaders  = []string{staff.RoleFinance, staff.RoleAuditor}
)

// internetMenu is the menu entry of the ISP's pages, shown when the
// console has the ISP's billing: every deployment runs it (vouchers and
// RADIUS need no M-Pesa), so every console shows it, to the roles that
// may open it.
const internetMenu = "nav.internet"

// internetRoutes are the ISP's pages, under one "Internet" menu entry.
func (h *Handler) internetRoutes() []route {
	const menu = internetMenu
	return []route{
		{Method: "GET", Pattern: "/staff/internet", Roles: internetReaders, fn: h.net(h.internet), Menu: menu},

		{Method: "GET", Pattern: "/staff/internet/plans", Roles: internetReaders, fn: h.net(h.plans), Menu: menu},
		{Method: "GET", Pattern: "/staff/internet/plans/new", Roles: adminRoles, fn: h.net(h.planNew), Menu: menu},
		{Method: "POST", Pattern: "/staff/internet/plans", Roles: adminRoles, fn: h.net(h.planCreate)},
		{Method: "GET", Pattern: "/staff/internet/plans/{id}", Roles: internetReaders, fn: h.net(h.planPage), Menu: menu},
		{Method: "POST", Pattern: "/staff/internet/plans/{id}", Roles: adminRoles, fn: h.net(h.planSave)},

		{Method: "GET", Pattern: "/staff/internet/subscribers", Roles: internetReaders, fn: h.net(h.subscribers), Menu: menu},
		{Method: "POST", Pattern: "/staff/internet/subscribers", Roles: careRoles, fn: h.net(h.subscriberCreate)},
		{Method: "GET", Pattern: "/staff/internet/subscribers/{id}", Roles: internetReaders, fn: h.net(h.subscriberPage), Menu: menu},
		{Method: "POST", Pattern: "/staff/internet/subscribers/{id}/password", Roles: careRoles, fn: h.net(h.subscriberPassword)},
		{Method: "POST", Pattern: "/staff/internet/subscribers/{id}/suspend", Roles: careRoles, fn: h.net(h.subscriptionState("suspended", (*isp.Service).Suspend))},
		{Method: "POST", Pattern: "/staff/internet/subscribers/{id}/reconnect", Roles: careRoles, fn: h.net(h.subscriptionState("reconnected", (*isp.Service).Reconnect))},
		{Method: "POST", Pattern: "/staff/internet/subscribers/{id}/terminate", Roles: careRoles, fn: h.net(h.subscriptionState("terminated", (*isp.Service).Terminate))},
		{Method: "POST", Pattern: "/staff/internet/subscribers/{id}/disconnect", Roles: careRoles, fn: h.net(h.subscriberDisconnect)},
		{Method: "POST", Pattern: "/staff/internet/subscribers/{id}/plan", Roles: careRoles, fn: h.net(h.subscriberPlan)},
		{Method: "POST", Pattern: "/staff/internet/suspense/{id}/assign", Roles: careOrFinance, fn: h.net(h.internetAssign)},

		{Method: "GET", Pattern: "/staff/internet/sessions", Roles: internetReaders, fn: h.net(h.sessions), Menu: menu},
		{Method: "POST", Pattern: "/staff/internet/sessions/disconnect", Roles: careRoles, fn: h.net(h.sessionDisconnect)},

		{Method: "GET", Pattern: "/staff/internet/routers", Roles: internetReaders, fn: h.net(h.routers), Menu: menu},
		{Method: "POST", Pattern: "/staff/internet/routers", Roles: adminRoles, fn: h.net(h.routerAdd)},
		{Method: "POST", Pattern: "/staff/internet/routers/{id}/remove", Roles: adminRoles, fn: h.net(h.routerRemove)},

		{Method: "GET", Pattern: "/staff/internet/vouchers", Roles: voucherReaders, fn: h.net(h.vouchers), Menu: menu},
		{Method: "POST", Pattern: "/staff/internet/vouchers", Roles: financeRoles, fn: h.net(h.voucherCreate)},
		{Method: "GET", Pattern: "/staff/internet/vouchers/{id}", Roles: voucherReaders, fn: h.net(h.voucherBatch), Menu: menu},
		{Method: "GET", Pattern: "/staff/internet/vouchers/{id}/sheet", Roles: financeRoles, fn: h.net(h.voucherSheet)},
	}
}

// errNoISP answers the ISP's pages on a console built without the ISP's
// billing: there is nothing to show.
var errNoISP = &pageError{Status: http.StatusNotFound, Key: "net.none"}

// ispHandler is a handler of the ISP's pages, given its billing.
type ispHandler func(w http.ResponseWriter, v *visit, svc *isp.Service) error

// net serves an ISP page with the ISP's billing, or answers errNoISP.
func (h *Handler) net(fn ispHandler) handlerFunc {
	return func(w http.ResponseWriter, v *visit) error {
		if h.Services.ISP == nil {
			return errNoISP
		}
		return fn(w, v, h.Services.ISP)
	}
}

// ispError turns what billing refused into a page a person can act on;
// other errors pass as they are.
func ispError(err error) error {
	for _, e := range []struct {
		err    error
		status int
		key    string
	}{
		{isp.ErrReason, http.StatusBadRequest, "reason.needed"},
		{isp.ErrState, http.StatusConflict, "net.err.state"},
		{isp.ErrPlanShut, http.StatusConflict, "net.err.planshut"},
		{isp.ErrUsername, http.StatusBadRequest, "net.err.username"},
		{isp.ErrTaken, http.StatusConflict, "net.err.taken"},
		{isp.ErrNAS, http.StatusBadRequest, "net.err.nas"},
	} {
		if errors.Is(err, e.err) {
			return &pageError{Status: e.status, Key: e.key, cause: err}
		}
	}
	return err
}

// reasonOf reads the reason an action is taken for: at least five
// characters, as for the utility's actions.
func reasonOf(v *visit) (string, error) {
	reason, err := formValue(v, "reason")
	if err != nil {
		return "", err
	}
	if len(reason) < 5 {
		return "", &pageError{Status: http.StatusBadRequest, Key: "reason.needed"}
	}
	return store.Truncate(reason, 200), nil
}

type internetData struct {
	Online, Stale int
	Changes       map[string]int // the router requests by state
	States        map[string]int // the subscriptions by state
	Links         []menuItem
}

// internet is the ISP's overview: who is online, the CoA and Disconnect
// queue, and the ISP's pages the role may open.
func (h *Handler) internet(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	ctx := v.r.Context()
	open, total, err := svc.OnlineSessions(ctx, isp.MaxSessions)
	if err != nil {
		return err
	}
	d := internetData{Online: total}
	for _, s := range open {
		if s.Stale {
			d.Stale++
		}
	}
	if d.Changes, err = svc.Changes(ctx); err != nil {
		return err
	}
	if d.States, err = svc.SubscriptionStates(ctx); err != nil {
		return err
	}
	for _, l := range []struct{ key, path, pattern string }{
		{"net.plans", "/staff/internet/plans", ""}, {"net.subscribers", "/staff/internet/subscribers", ""},
		{"net.sessions", "/staff/internet/sessions", ""}, {"net.routers", "/staff/internet/routers", ""},
		{"net.vouchers", "/staff/internet/vouchers", ""},
		{"net.revenue", "/staff/reports/" + report.ISPPlansID, "/staff/reports/{id}"},
		{"net.revenue.month", "/staff/reports/" + report.ISPMonthsID, "/staff/reports/{id}"},
	} {
		if h.mayOpen(v, cmp.Or(l.pattern, l.path)) {
			d.Links = append(d.Links, menuItem{l.key, l.path})
		}
	}
	return h.render(w, v, http.StatusOK, "internet", h.page(v, "net.title", d))
}

// showBytes shows a size of data, "" for none.
func showBytes(n int64) string {
	if n == 0 {
		return ""
	}
	return isp.Bytes(n)
}

// mayOpen reports whether the signed-in role may open the page at path.
func (h *Handler) mayOpen(v *visit, path string) bool {
	for _, r := range h.routes() {
		if r.Method == "GET" && r.Pattern == path {
			return Allows(r.Roles, v.user().Role)
		}
	}
	return false
}
