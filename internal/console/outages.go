package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/outage"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// outageRoutes are the outages: declared by care on an area, feeder or
// transformer, their restoration time updated, restored; the suspected
// ones (grown from customers' reports) confirmed or dismissed.
func (h *Handler) outageRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/staff/outages", Roles: readerRoles, fn: h.outages, Menu: "nav.outages"},
		{Method: "POST", Pattern: "/staff/outages", Roles: careRoles, fn: h.outageDeclare},
		{Method: "POST", Pattern: "/staff/outages/{id}/etr", Roles: careRoles, fn: h.outageETR},
		{Method: "POST", Pattern: "/staff/outages/{id}/restore", Roles: careRoles, fn: h.outageRestore},
		{Method: "POST", Pattern: "/staff/outages/{id}/confirm", Roles: careRoles, fn: h.outageConfirm},
		{Method: "POST", Pattern: "/staff/outages/{id}/dismiss", Roles: careRoles, fn: h.outageDismiss},
	}
}

// outageRow is an outage with how far its first notice has gone.
type outageRow struct {
	outage.Outage
	Reach outage.Reach
}

// outages lists the suspected outages, then the open ones, then the ones
// restored in the last day, with the form to declare one.
func (h *Handler) outages(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	list, err := outage.List(ctx, h.DB, h.DB.Now().Add(-24*time.Hour))
	if err != nil {
		return err
	}
	var suspected, open, restored []outageRow
	for _, o := range list {
		r := outageRow{Outage: o}
		if o.State == outage.StateConfirmed {
			if r.Reach, err = outage.Measure(ctx, h.DB, o.ID); err != nil {
				return err
			}
		}
		switch {
		case o.State == outage.StateSuspected:
			suspected = append(suspected, r)
		case o.RestoredAt.IsZero():
			open = append(open, r)
		default:
			restored = append(restored, r)
		}
	}
	p := h.page(v, "outages.title", struct{ Suspected, Open, Restored []outageRow }{suspected, open, restored})
	if key, ok := outageDone[v.r.URL.Query().Get("done")]; ok {
		p.Notice = t(v.lang, key)
	}
	return h.render(w, v, http.StatusOK, "outages", p)
}

// outageDone is what the list says after each change.
var outageDone = map[string]string{
	"declared":  "outages.done.declared",
	"etr":       "outages.done.etr",
	"restored":  "outages.done.restored",
	"confirmed": "outages.done.confirmed",
	"dismissed": "outages.done.dismissed",
}

// outageTime reads a datetime-local field in the utility's zone; "" is
// the zero time.
func outageTime(f *form, name string) (time.Time, bool) {
	s := f.str(name)
	if s == "" {
		return time.Time{}, true
	}
	at, err := time.ParseInLocation("2006-01-02T15:04", s, tariff.Zone)
	return at, err == nil
}

// outageDeclare declares an outage on an area, feeder or transformer.
func (h *Handler) outageDeclare(w http.ResponseWriter, v *visit) error {
	f, err := readForm(v)
	if err != nil {
		return err
	}
	o := outage.Outage{Level: f.str("level"), Place: f.str("place"), Area: f.str("area"), Kind: f.str("kind"),
		Message: f.str("note")}
	var ok1, ok2 bool
	o.StartsAt, ok1 = outageTime(f, "starts")
	o.ETR, ok2 = outageTime(f, "etr")
	if !ok1 || !ok2 {
		return &pageError{Status: http.StatusBadRequest, Key: "outages.badtime"}
	}
	o, err = outage.Declare(v.r.Context(), h.DB, o, v.user().Actor())
	if err != nil {
		return outageError(err)
	}
	if err := h.audit(v, "outage.declare", o.ID, o.Kind+" on "+o.Level+" "+o.Place+" ("+o.Area+")"); err != nil {
		return err
	}
	return h.outageDone(w, v, "declared")
}

// outageETR sets a new estimated restoration time.
func (h *Handler) outageETR(w http.ResponseWriter, v *visit) error {
	f, err := readForm(v)
	if err != nil {
		return err
	}
	etr, ok := outageTime(f, "etr")
	if !ok || etr.IsZero() {
		return &pageError{Status: http.StatusBadRequest, Key: "outages.badtime"}
	}
	id := v.r.PathValue("id")
	if err := outage.SetETR(v.r.Context(), h.DB, id, etr, v.user().Actor()); err != nil {
		return outageError(err)
	}
	if err := h.audit(v, "outage.etr", id, etr.In(tariff.Zone).Format("2006-01-02 15:04")); err != nil {
		return err
	}
	return h.outageDone(w, v, "etr")
}

func (h *Handler) outageRestore(w http.ResponseWriter, v *visit) error {
	return h.outageChange(w, v, "restore", "restored", outage.Restore)
}

func (h *Handler) outageConfirm(w http.ResponseWriter, v *visit) error {
	return h.outageChange(w, v, "confirm", "confirmed", outage.Confirm)
}

func (h *Handler) outageDismiss(w http.ResponseWriter, v *visit) error {
	return h.outageChange(w, v, "dismiss", "dismissed", outage.Dismiss)
}

func (h *Handler) outageChange(w http.ResponseWriter, v *visit, action, done string, change func(ctx context.Context, db *store.DB, id, by string) error) error {
	if _, err := readForm(v); err != nil {
		return err
	}
	id := v.r.PathValue("id")
	if err := change(v.r.Context(), h.DB, id, v.user().Actor()); err != nil {
		return outageError(err)
	}
	if err := h.audit(v, "outage."+action, id, ""); err != nil {
		return err
	}
	return h.outageDone(w, v, done)
}

// outageDone wakes the notices' sweep and goes back to the list.
func (h *Handler) outageDone(w http.ResponseWriter, v *visit, done string) error {
	if h.Services.OnOutage != nil {
		h.Services.OnOutage()
	}
	return redirect(w, v, "/staff/outages?done="+done)
}

// outageError shows why an outage change cannot be made.
func outageError(err error) error {
	if errors.Is(err, outage.ErrInvalid) {
		msg := err.Error()
		if i := strings.LastIndex(msg, outage.ErrInvalid.Error()+": "); i >= 0 {
			msg = msg[i+len(outage.ErrInvalid.Error())+2:]
		}
		return &pageError{Status: http.StatusBadRequest, Key: "outages.invalid", Args: []any{msg}, cause: err}
	}
	return err
}
