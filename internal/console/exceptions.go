package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/reconcile"
	"github.com/mteja/mteja/internal/store"
)

type exceptionsData struct {
	Filter reconcile.Filter
	States []string
	List   []reconcile.Exception
	Full   bool // the list reached its limit: there may be more
}

// exceptions lists the differences between M-Pesa's records and Mteja's,
// newest first, open ones unless another state (or all) is asked for,
// of one day when one is given.
func (h *Handler) exceptions(w http.ResponseWriter, v *visit) error {
	q := v.r.URL.Query()
	f := reconcile.Filter{State: reconcile.Open, Day: strings.TrimSpace(q.Get("day")), Limit: 200}
	if q.Has("state") {
		f.State = q.Get("state")
	}
	d := exceptionsData{Filter: f, States: []string{reconcile.Open, reconcile.Auto, reconcile.Resolved}}
	p := h.page(v, "recon.exceptions.title", &d)
	switch {
	case f.State != "" && f.State != reconcile.Open && f.State != reconcile.Auto && f.State != reconcile.Resolved:
		p.Err, d.Filter.State = t(v.lang, "recon.badstate"), ""
		return h.render(w, v, http.StatusBadRequest, "exceptions", p)
	case f.Day != "":
		if _, err := reconcile.ParseDay(f.Day); err != nil {
			p.Err = t(v.lang, "recon.badday")
			return h.render(w, v, http.StatusBadRequest, "exceptions", p)
		}
	}
	es, err := reconcile.Exceptions(v.r.Context(), h.DB.Read(), f)
	if err != nil {
		return err
	}
	maskExceptions(v, es)
	d.List, d.Full = es, len(es) == f.Limit
	return h.render(w, v, http.StatusOK, "exceptions", p)
}

type exceptionData struct {
	E       reconcile.Exception
	Actions []string // what the visitor may do with it now
	Action  string   // the action just refused, to show its form again
	Meter   string
	Note    string
}

// exception shows one difference in full, and the actions it allows.
func (h *Handler) exception(w http.ResponseWriter, v *visit) error {
	e, err := reconcile.GetException(v.r.Context(), h.DB.Read(), v.r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.exceptionPage(v, e)
	if v.r.URL.Query().Get("done") == "resolved" {
		p.Notice = t(v.lang, "recon.resolved")
	}
	return h.render(w, v, http.StatusOK, "exception", p)
}

func (h *Handler) exceptionPage(v *visit, e reconcile.Exception) page {
	es := []reconcile.Exception{e}
	maskExceptions(v, es)
	d := exceptionData{E: es[0]}
	if Allows(financeRoles, v.user().Role) {
		d.Actions = e.Actions()
	}
	p := h.page(v, "recon.exception.title", d, e.Receipt)
	p.Path = "/staff/reconcile/exceptions/" + url.PathEscape(e.ID)
	return p
}

// resolve applies finance's action to an open exception: assign its
// payment to a meter, refund it, reverse it, or dismiss the difference.
// Every action but assign needs a note; each is audited with its note.
// Refused, the page shows why, with what was typed.
func (h *Handler) resolve(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	e, err := reconcile.GetException(ctx, h.DB.Read(), v.r.PathValue("id"))
	if err != nil {
		return err
	}
	name, err := formValue(v, "action")
	if err != nil {
		return err
	}
	a := reconcile.Action{Name: name, Meter: strings.TrimSpace(v.r.PostFormValue("meter")), Note: strings.TrimSpace(v.r.PostFormValue("note"))}
	refuse := func(status int, msg string) error {
		if now, err := reconcile.GetException(ctx, h.DB.Read(), e.ID); err == nil {
			e = now // as it stands after the refusal
		}
		p := h.exceptionPage(v, e)
		p.Err = msg
		d := p.Data.(exceptionData)
		d.Action, d.Meter, d.Note = a.Name, a.Meter, a.Note
		p.Data = d
		return h.render(w, v, status, "exception", p)
	}
	switch {
	case a.Name == reconcile.ActAssign && a.Meter == "":
		return refuse(http.StatusBadRequest, t(v.lang, "suspense.needmeter"))
	case a.Name != reconcile.ActAssign && a.Note == "":
		return refuse(http.StatusBadRequest, t(v.lang, "recon.neednote"))
	}
	_, err = reconcile.Resolve(ctx, h.DB, e.ID, a, v.user().Actor())
	switch {
	case errors.Is(err, reconcile.ErrAction), errors.Is(err, store.ErrNotFound), errors.Is(err, payment.ErrMeterNotPayable):
		return refuse(http.StatusBadRequest, t(v.lang, "recon.refused", err.Error()))
	case errors.Is(err, reconcile.ErrNotOpen), errors.Is(err, payment.ErrState):
		return refuse(http.StatusConflict, t(v.lang, "recon.refused", err.Error()))
	case err != nil:
		return err
	}
	if a.Name == reconcile.ActAssign && h.Services.OnReceived != nil {
		h.Services.OnReceived()
	}
	return redirect(w, v, "/staff/reconcile/exceptions/"+url.PathEscape(e.ID)+"?done=resolved")
}
