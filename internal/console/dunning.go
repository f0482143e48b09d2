package console

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/mteja/mteja/internal/isp"
)

// Dunning, per monthly plan: the reminder days around the due date, the
// hour they go, and whether an unpaid period suspends. Finance sets it
// (audited); care and the auditors read it.

type dunningRow struct {
	Plan    isp.Plan
	Dunning isp.Dunning
	Offsets string // as typed back into the form
}

type dunningData struct {
	Rows      []dunningRow
	CanSet    bool
	Refused   string // the plan whose change was refused
	Offsets   string // what was typed, refused
	Hour      string
	Suspended bool
}

func (h *Handler) dunningPage(v *visit, d dunningData) (page, error) {
	plans, err := h.Services.ISP.Plans(v.r.Context())
	if err != nil {
		return page{}, err
	}
	for _, p := range plans {
		if p.Billing != isp.Monthly {
			continue
		}
		dn, err := h.Services.ISP.DunningOf(v.r.Context(), p.ID)
		if err != nil {
			return page{}, err
		}
		d.Rows = append(d.Rows, dunningRow{Plan: p, Dunning: dn, Offsets: offsetsText(dn.Offsets)})
	}
	d.CanSet = Allows(financeRoles, v.user().Role)
	p := h.page(v, "dun.title", d)
	p.Path = "/staff/internet/dunning"
	return p, nil
}

// dunning lists the monthly plans with their dunning.
func (h *Handler) dunning(w http.ResponseWriter, v *visit) error {
	p, err := h.dunningPage(v, dunningData{})
	if err != nil {
		return err
	}
	if v.r.URL.Query().Get("done") == "set" {
		p.Notice = t(v.lang, "dun.set")
	}
	return h.render(w, v, http.StatusOK, "dunning", p)
}

// dunningSet sets one plan's dunning. Refused, the page says why and
// keeps what was typed.
func (h *Handler) dunningSet(w http.ResponseWriter, v *visit) error {
	typed, err := formValue(v, "offsets")
	if err != nil {
		return err
	}
	hour, suspend, planID := v.r.PostFormValue("hour"), v.r.PostFormValue("suspend") == "on", v.r.PathValue("plan")
	refuse := func(msg string) error {
		p, err := h.dunningPage(v, dunningData{Refused: planID, Offsets: typed, Hour: hour, Suspended: suspend})
		if err != nil {
			return err
		}
		p.Err = msg
		return h.render(w, v, http.StatusBadRequest, "dunning", p)
	}
	offsets, err := isp.ParseOffsets(typed)
	if err != nil {
		return refuse(t(v.lang, "dun.refused", err.Error()))
	}
	n, err := strconv.Atoi(hour)
	if err != nil {
		return refuse(t(v.lang, "dun.badhour"))
	}
	err = h.Services.ISP.SetDunning(v.r.Context(), isp.Dunning{PlanID: planID, Offsets: offsets, Hour: n, Suspend: suspend}, v.user().Actor())
	if errors.Is(err, isp.ErrDunning) {
		return refuse(t(v.lang, "dun.refused", err.Error()))
	}
	if err != nil {
		return err
	}
	return redirect(w, v, "/staff/internet/dunning?done=set")
}

// offsetsText writes reminder days as staff type them: "-3, -1, +1, +3".
func offsetsText(offs []int) string {
	out := ""
	for i, o := range offs {
		if i > 0 {
			out += ", "
		}
		if o > 0 {
			out += "+"
		}
		out += strconv.Itoa(o)
	}
	return out
}

// Days is a plan's grace in whole days.
func (dunningData) Days(p isp.Plan) int { return int(p.Grace.Hours() / 24) }
