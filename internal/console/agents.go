package console

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// Agent outlets: finance and auditors read floats, statements and shifts;
// admins set outlets and their users up (a user's PIN is shown once).
var agentReaders = []string{staff.RoleFinance, staff.RoleAuditor}

func (h *Handler) agentRoutes() []route {
	const menu = "nav.agents"
	return []route{
		{Method: "GET", Pattern: "/staff/agents", Roles: agentReaders, fn: h.agentOutlets, Menu: menu},
		{Method: "POST", Pattern: "/staff/agents", Roles: adminRoles, fn: h.agentOutletCreate},
		{Method: "GET", Pattern: "/staff/agents/{code}", Roles: agentReaders, fn: h.agentOutlet, Menu: menu},
		{Method: "POST", Pattern: "/staff/agents/{code}/users", Roles: adminRoles, fn: h.agentUserCreate},
	}
}

type agentOutletsData struct {
	Outlets   []agent.Outlet
	CanChange bool
}

// agentOutlets lists the outlets with their floats.
func (h *Handler) agentOutlets(w http.ResponseWriter, v *visit) error {
	return h.agentOutletsPage(w, v, http.StatusOK, "")
}

func (h *Handler) agentOutletsPage(w http.ResponseWriter, v *visit, status int, problem string) error {
	os, err := agent.Outlets(v.r.Context(), h.DB.Read())
	if err != nil {
		return err
	}
	p := h.page(v, "agents.title", agentOutletsData{Outlets: os, CanChange: Allows(adminRoles, v.user().Role)})
	p.Err = problem
	return h.render(w, v, status, "agents", p)
}

// agentOutletCreate adds an outlet with its default commission rule.
func (h *Handler) agentOutletCreate(w http.ResponseWriter, v *visit) error {
	f, err := readForm(v)
	if err != nil {
		return err
	}
	limit, err1 := money.Parse(orZero(f.str("credit_limit")))
	fixed, err2 := money.Parse(orZero(f.str("fixed")))
	share, err3 := strconv.ParseInt(orZero(f.str("share_bp")), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return h.agentOutletsPage(w, v, http.StatusBadRequest, t(v.lang, "agents.bad.number"))
	}
	svc := &agent.Service{DB: h.DB}
	by := v.user().Actor()
	o, err := svc.CreateOutlet(v.r.Context(), by, f.str("code"), f.str("name"), limit)
	if errors.Is(err, agent.ErrInvalid) {
		return h.agentOutletsPage(w, v, http.StatusBadRequest, err.Error())
	}
	if err != nil {
		return err
	}
	if err := svc.SetRule(v.r.Context(), by, o.ID, agent.Rule{ShareBP: share, Fixed: fixed}); err != nil {
		if errors.Is(err, agent.ErrInvalid) {
			return h.agentOutletsPage(w, v, http.StatusBadRequest, err.Error())
		}
		return err
	}
	http.Redirect(w, v.r, "/staff/agents/"+o.Code, http.StatusSeeOther)
	return nil
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

type agentOutletData struct {
	Outlet    agent.Outlet
	Rules     []agent.Rule
	Users     []agent.User
	Lines     []agent.Line
	Shifts    []agent.Shift
	CanChange bool
	PIN       string // a new user's, shown once
	PINFor    string
}

// agentOutlet shows an outlet: its users, commission, float statement
// (from the ledger) and shift reports.
func (h *Handler) agentOutlet(w http.ResponseWriter, v *visit) error {
	return h.agentOutletPage(w, v, http.StatusOK, agentOutletData{}, "")
}

func (h *Handler) agentOutletPage(w http.ResponseWriter, v *visit, status int, d agentOutletData, problem string) error {
	ctx, q := v.r.Context(), h.DB.Read()
	o, err := agent.OutletByCode(ctx, q, v.r.PathValue("code"))
	if errors.Is(err, store.ErrNotFound) {
		return &pageError{Status: http.StatusNotFound, Key: "agents.not_found"}
	}
	if err != nil {
		return err
	}
	d.Outlet, d.CanChange = o, Allows(adminRoles, v.user().Role)
	if d.Rules, err = agent.Rules(ctx, q, o.ID); err != nil {
		return err
	}
	if d.Users, err = agent.Users(ctx, q, o.ID); err != nil {
		return err
	}
	if d.Lines, err = agent.Statement(ctx, q, o.ID, 50); err != nil {
		return err
	}
	if d.Shifts, err = agent.Shifts(ctx, q, o.ID, 20); err != nil {
		return err
	}
	p := h.page(v, "agents.outlet", d, o.Code)
	p.Err = problem
	return h.render(w, v, status, "agent_outlet", p)
}

// agentUserCreate adds a user to an outlet with a new PIN, shown once.
func (h *Handler) agentUserCreate(w http.ResponseWriter, v *visit) error {
	f, err := readForm(v)
	if err != nil {
		return err
	}
	ctx := v.r.Context()
	o, err := agent.OutletByCode(ctx, h.DB.Read(), v.r.PathValue("code"))
	if errors.Is(err, store.ErrNotFound) {
		return &pageError{Status: http.StatusNotFound, Key: "agents.not_found"}
	}
	if err != nil {
		return err
	}
	pin, err := agent.NewPIN()
	if err != nil {
		return err
	}
	u, err := (&agent.Service{DB: h.DB}).CreateUser(ctx, v.user().Actor(), o.ID, f.str("name"), f.str("phone"), pin)
	if errors.Is(err, agent.ErrInvalid) {
		return h.agentOutletPage(w, v, http.StatusBadRequest, agentOutletData{}, err.Error())
	}
	if err != nil {
		return err
	}
	return h.agentOutletPage(w, v, http.StatusOK, agentOutletData{PIN: pin, PINFor: u.Name}, "")
}
