package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

// manageData is a meter's actions page: what it is, and a form for each
// change the role may make. A form that was refused shows again as it was
// sent (Action, Form), with every problem.
type manageData struct {
	Meter    customer.Meter
	Customer *customer.Customer
	Pending  *customer.Meter // the meter as its queued key change leaves it
	Tariffs  []string        // for an admin, who may change the tariff
	IsAdmin  bool
	Kinds    []string // fault kinds
	Action   string
	Form     url.Values
	Problems []string
}

// Val is a field's value: as sent when its form was refused, else def.
func (d manageData) Val(action, name, def string) string {
	if d.Action == action {
		return d.Form.Get(name)
	}
	return def
}

// Keys are the key parameters' inputs of the key change or swap form,
// the meter's own unless that form was refused.
func (d manageData) Keys(action string) []keyField {
	cur := meterKeys(d.Meter)
	return keyFields(action, false, func(name string) string { return d.Val(action, name, cur[name]) })
}

// Phones are the customer's phones, one a line, for the edit form.
func (d manageData) Phones() string {
	if d.Customer == nil {
		return ""
	}
	return strings.Join(d.Customer.Phones, "\n")
}

// manageDone words what the last change did, by the done= it came back with.
var manageDone = map[string]string{"edited": "manage.edited", "deactivated": "manage.deactivated", "reactivated": "manage.reactivated",
	"moved": "manage.moved", "keychange": "manage.keyqueued", "swapped": "manage.swapped"}

// meterManage shows a meter's actions: edit its area and phones (and, for
// an admin, its tariff), deactivate or reactivate it, move it to another
// customer, report a fault; for an admin, queue a key change and record a
// swap.
func (h *Handler) meterManage(w http.ResponseWriter, v *visit) error {
	p, err := h.managePage(v, "", nil, nil)
	if err != nil {
		return err
	}
	if k, ok := manageDone[v.r.URL.Query().Get("done")]; ok {
		p.Notice = t(v.lang, k)
	}
	return h.render(w, v, http.StatusOK, "meter_manage", p)
}

// managePage builds a meter's actions page, with the form of action as
// it was sent and its problems when it was refused.
func (h *Handler) managePage(v *visit, action string, f *form, problems []string) (page, error) {
	ctx := v.r.Context()
	m, err := customer.GetMeter(ctx, h.DB.Read(), customer.NormalizeNumber(v.r.PathValue("drn")))
	if err != nil {
		return page{}, err
	}
	d := &manageData{Meter: m, IsAdmin: Allows(adminRoles, v.user().Role), Kinds: []string{care.FaultNoPower, care.FaultTokenRejected, care.FaultMeter, care.FaultOther},
		Action: action, Problems: problems}
	if f != nil {
		d.Form = f.values
	}
	subject := m.DRN
	if m.CustomerID != "" {
		c, err := customer.Get(ctx, h.DB.Read(), m.CustomerID)
		if err != nil {
			return page{}, err
		}
		d.Customer, subject = &c, c.ID
	}
	// The page shows whose the meter is, and their phones.
	if err := h.audit(v, "customer.read", subject, "meter "+m.DRN); err != nil {
		return page{}, err
	}
	pk, err := m.Pending()
	if err != nil {
		return page{}, err
	}
	if pk != nil {
		next := pk.Apply(m)
		d.Pending = &next
	}
	if d.IsAdmin {
		ts, err := vend.ListTariffs(ctx, h.DB.Read())
		if err != nil {
			return page{}, err
		}
		for _, s := range ts {
			d.Tariffs = append(d.Tariffs, s.ID)
		}
	}
	p := h.page(v, "manage.title", d, m.DRN)
	p.Path = manageURL(m.DRN)
	return p, nil
}

func manageURL(drn string) string { return "/staff/meters/" + url.PathEscape(drn) + "/manage" }

// meterChange reads a posted form and makes one change with it, which
// says the page to go on to; a refused form shows again with every
// problem, and a conflict with the meter's state is a page of its own. A
// change makes nothing when the form did not read (f.ok).
func (h *Handler) meterChange(w http.ResponseWriter, v *visit, action string, change func(f *form, drn string) (to string, err error)) error {
	f, err := readForm(v)
	if err != nil {
		return err
	}
	to, err := change(f, customer.NormalizeNumber(v.r.PathValue("drn")))
	if err == nil && f.ok() {
		return redirect(w, v, to)
	}
	problems := f.problems
	if err != nil {
		if problems, err = registryProblems(err); err != nil {
			return err
		}
	}
	p, err := h.managePage(v, action, f, problems)
	if err != nil {
		return err
	}
	return h.render(w, v, http.StatusBadRequest, "meter_manage", p)
}

// back goes on, after a change, to the actions page of the meter it
// returns, saying what was done.
func back(done string) func(customer.Meter, error) (string, error) {
	return func(m customer.Meter, err error) (string, error) {
		return manageURL(m.DRN) + "?done=" + done, err
	}
}

// meterEdit changes a meter's area, its place in the network (feeder,
// transformer) and its customer's phones; an admin
// may change its tariff too, which changes what the customer pays.
func (h *Handler) meterEdit(w http.ResponseWriter, v *visit) error {
	return h.meterChange(w, v, "edit", func(f *form, drn string) (string, error) {
		var e customer.Edit
		if _, ok := f.values["area"]; ok {
			area := f.str("area")
			e.Area = &area
		}
		if _, ok := f.values["feeder"]; ok {
			feeder, transformer := f.str("feeder"), f.str("transformer")
			e.Feeder, e.Transformer = &feeder, &transformer
		}
		if _, ok := f.values["phones"]; ok {
			phones := f.list("phones")
			e.Phones = &phones
		}
		if _, ok := f.values["tariff"]; ok {
			if !Allows(adminRoles, v.user().Role) {
				return "", errForbidden
			}
			e.TariffID = f.opt("tariff")
		}
		return back("edited")(h.registry().Edit(v.r.Context(), v.user().Actor(), drn, e))
	})
}

// meterStatus deactivates or reactivates a meter (set), with a reason
// the audit log keeps.
func (h *Handler) meterStatus(done string, set func(*customer.Registry, context.Context, string, string, string) (customer.Meter, error)) handlerFunc {
	return func(w http.ResponseWriter, v *visit) error {
		return h.meterChange(w, v, "status", func(f *form, drn string) (string, error) {
			reason := f.reason()
			if !f.ok() {
				return "", nil
			}
			return back(done)(set(h.registry(), v.r.Context(), v.user().Actor(), drn, reason))
		})
	}
}

// meterMove gives a meter to another customer, existing or new.
func (h *Handler) meterMove(w http.ResponseWriter, v *visit) error {
	return h.meterChange(w, v, "move", func(f *form, drn string) (string, error) {
		to := f.owner()
		if !f.ok() {
			return "", nil
		}
		return back("moved")(h.registry().Move(v.r.Context(), v.user().Actor(), drn, to))
	})
}

// meterKeyChange queues a key change, made with the meter's next token.
func (h *Handler) meterKeyChange(w http.ResponseWriter, v *visit) error {
	return h.meterChange(w, v, "keychange", func(f *form, drn string) (string, error) {
		k := f.keys()
		if !f.ok() {
			return "", nil
		}
		_, err := h.registry().QueueKeyChange(v.r.Context(), v.user().Actor(), drn, k)
		return manageURL(drn) + "?done=keychange", err
	})
}

// meterSwap records that a meter was replaced on site by a new one, which
// takes its place; the page goes on with the new meter.
func (h *Handler) meterSwap(w http.ResponseWriter, v *visit) error {
	return h.meterChange(w, v, "swap", func(f *form, drn string) (string, error) {
		k := f.keys()
		if !f.ok() {
			return "", nil
		}
		return back("swapped")(h.registry().Swap(v.r.Context(), v.user().Actor(), drn, f.str("new_drn"), k))
	})
}

// reason is the reason given for a change of status, required (a few
// words) for the audit log.
func (f *form) reason() string {
	r := f.str("reason")
	if len(r) < 5 {
		f.problems = append(f.problems, t(f.lang, "reason.needed"))
	}
	return store.Truncate(r, 200)
}
