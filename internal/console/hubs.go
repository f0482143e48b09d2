package console

import (
	"errors"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/hub"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/tariff"
)

// hubsData is the hubs page: every hub, its attendants, and the day's
// report.
type hubsData struct {
	Hubs       []hub.Hub
	Report     []hub.DayReport
	Day        string
	Attendants []staff.User // users of the hub role, to attach
	CanManage  bool
}

// hubs lists the hubs with a day's report (?day=2026-12-01, today by
// default): per hub, customers served and the median and 90th percentile
// of their wait and service.
func (h *Handler) hubs(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	d := hubsData{Day: v.r.URL.Query().Get("day"), CanManage: Allows(adminRoles, v.user().Role)}
	if d.Day == "" {
		d.Day = h.DB.Now().In(tariff.Zone).Format("2006-01-02")
	}
	if _, err := time.Parse("2006-01-02", d.Day); err != nil {
		return &pageError{Status: http.StatusBadRequest, Key: "hub.badday"}
	}
	var err error
	if d.Hubs, err = hub.List(ctx, h.DB); err != nil {
		return err
	}
	if d.Report, err = hub.Report(ctx, h.DB, d.Day); err != nil {
		return err
	}
	if d.CanManage {
		us, err := h.Staff.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range us {
			if u.Role == staff.RoleHub {
				d.Attendants = append(d.Attendants, u)
			}
		}
	}
	p := h.page(v, "hubs.title", d)
	if key, ok := map[string]string{"created": "hubs.created", "attached": "hubs.attached"}[v.r.URL.Query().Get("done")]; ok {
		p.Notice = t(v.lang, key)
	}
	return h.render(w, v, http.StatusOK, "hubs", p)
}

// hubCreate adds a hub.
func (h *Handler) hubCreate(w http.ResponseWriter, v *visit) error {
	name, err := formValue(v, "name")
	if err != nil {
		return err
	}
	area, _ := formValue(v, "area")
	hb, err := hub.Create(v.r.Context(), h.DB, name, area)
	switch {
	case errors.Is(err, hub.ErrBadName):
		return &pageError{Status: http.StatusBadRequest, Key: "hubs.badname", cause: err}
	case errors.Is(err, hub.ErrTaken):
		return &pageError{Status: http.StatusConflict, Key: "hubs.taken", cause: err}
	case err != nil:
		return err
	}
	if err := h.audit(v, "hub.create", hb.ID, hb.Name+" ("+hb.Area+")"); err != nil {
		return err
	}
	return redirect(w, v, "/staff/hubs?done=created")
}

// hubAttach makes a hub-role user an attendant of a hub.
func (h *Handler) hubAttach(w http.ResponseWriter, v *visit) error {
	userID, err := formValue(v, "user")
	if err != nil {
		return err
	}
	hubID, _ := formValue(v, "hub")
	ctx := v.r.Context()
	u, err := h.Staff.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	if u.Role != staff.RoleHub {
		return &pageError{Status: http.StatusBadRequest, Key: "hubs.notattendant"}
	}
	hb, err := hub.Get(ctx, h.DB, hubID)
	if err != nil {
		return err
	}
	if err := hub.Attach(ctx, h.DB, u.ID, hb.ID); err != nil {
		return err
	}
	if err := h.audit(v, "hub.attach", u.Username, hb.Name); err != nil {
		return err
	}
	return redirect(w, v, "/staff/hubs?done=attached")
}
