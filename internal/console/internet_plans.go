package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/store"
)

type plansData struct {
	Plans     []isp.Plan
	CanChange bool
}

// plans lists the ISP's plans, by price, with their settings at a glance.
func (h *Handler) plans(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	ps, err := svc.Plans(v.r.Context())
	if err != nil {
		return err
	}
	p := h.page(v, "plans.title", plansData{Plans: ps, CanChange: Allows(adminRoles, v.user().Role)})
	return h.render(w, v, http.StatusOK, "internet_plans", p)
}

type planData struct {
	Form      planForm
	New       bool
	CanChange bool
	Fallbacks []isp.Plan // the free plans a plan may fall back to
	Interim   string     // the deployment's Acct-Interim-Interval
}

// planNew is the form for a new plan.
func (h *Handler) planNew(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	return h.planForm(w, v, svc, http.StatusOK, planForm{Kind: isp.Hotspot, Billing: isp.Bundle, Shared: "1", Active: true}, true)
}

// planPage shows a plan: as a form to admins, read-only to others.
func (h *Handler) planPage(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	pl, err := svc.GetPlan(v.r.Context(), v.r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.planForm(w, v, svc, http.StatusOK, planFormOf(pl), false)
}

func (h *Handler) planForm(w http.ResponseWriter, v *visit, svc *isp.Service, status int, f planForm, isNew bool) error {
	ps, err := svc.Plans(v.r.Context())
	if err != nil {
		return err
	}
	d := planData{Form: f, New: isNew, CanChange: Allows(adminRoles, v.user().Role), Interim: showSpan(svc.Config().Interim)}
	for _, pl := range ps {
		if pl.Price == 0 && pl.Fallback == "" && pl.ID != f.ID {
			d.Fallbacks = append(d.Fallbacks, pl)
		}
	}
	title, args := "plan.title", []any{f.Name}
	if isNew {
		title, args = "plan.new", nil
	}
	p := h.page(v, title, d, args...)
	if v.r.URL.Query().Get("done") == "saved" {
		p.Notice = t(v.lang, "plan.saved")
	}
	if len(f.Errs) > 0 || f.Err != "" {
		p.Err = t(v.lang, "plan.problems")
		if f.Err != "" {
			p.Err += " " + f.Err
		}
	}
	return h.render(w, v, status, "internet_plan", p)
}

// planCreate adds a plan from its form.
func (h *Handler) planCreate(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	return h.planChange(w, v, svc, true)
}

// planSave changes a plan from its form; its id stays.
func (h *Handler) planSave(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	return h.planChange(w, v, svc, false)
}

// planChange reads a plan's form and saves it; what is wrong is shown
// beside its field, the form kept as typed.
func (h *Handler) planChange(w http.ResponseWriter, v *visit, svc *isp.Service, isNew bool) error {
	f, err := readForm(v)
	if err != nil {
		return err
	}
	if !isNew {
		if _, err := svc.GetPlan(v.r.Context(), v.r.PathValue("id")); err != nil {
			return err
		}
		f.values.Set("id", v.r.PathValue("id"))
	}
	pf, pl := readPlanForm(f)
	if len(pf.Errs) == 0 && pf.Err == "" {
		save := svc.UpdatePlan
		if isNew {
			save = svc.CreatePlan
		}
		err := save(v.r.Context(), pl, v.user().Actor())
		if err == nil {
			return redirect(w, v, "/staff/internet/plans/"+url.PathEscape(pl.ID)+"?done=saved")
		}
		switch {
		case errors.Is(err, isp.ErrPlanExists):
			pf.Errs["id"] = t(v.lang, "plan.bad.taken")
		case errors.Is(err, isp.ErrPlan), errors.Is(err, store.ErrNotFound): // its fallback
			pf.refused(err, v.lang)
		default:
			return err
		}
	}
	return h.planForm(w, v, svc, http.StatusBadRequest, pf, isNew)
}
