package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/phone"
)

// openFaultsLimit bounds the queue on one page, oldest first.
const openFaultsLimit = 200

// faults is the queue of open faults, oldest first, each with a form to
// close it.
func (h *Handler) faults(w http.ResponseWriter, v *visit) error {
	fs, err := care.OpenFaults(v.r.Context(), h.DB, openFaultsLimit)
	if err != nil {
		return err
	}
	p := h.page(v, "faults.title", fs)
	if v.r.URL.Query().Get("done") == "closed" {
		p.Notice = t(v.lang, "fault.closed")
	}
	return h.render(w, v, http.StatusOK, "faults", p)
}

// faultRaise records a fault for a meter on a customer's behalf: its kind,
// the phone they reported from and a note; audited.
func (h *Handler) faultRaise(w http.ResponseWriter, v *visit) error {
	return h.meterChange(w, v, "fault", func(f *form, drn string) (string, error) {
		kind, from := f.str("kind"), f.str("phone")
		if !care.ValidFaultKind(kind) {
			f.problems = append(f.problems, t(v.lang, "fault.needkind"))
		}
		if from != "" {
			n, err := phone.Normalize(from)
			if err != nil {
				f.problems = append(f.problems, t(v.lang, "resend.badphone"))
			}
			from = n
		}
		if !f.ok() {
			return "", nil
		}
		m, err := customer.GetMeter(v.r.Context(), h.DB.Read(), drn)
		if err != nil {
			return "", err
		}
		if _, err := care.RaiseFault(v.r.Context(), h.DB, from, m.DRN, kind, f.str("note"), v.user().Actor()); err != nil {
			return "", err
		}
		return meterHome(m) + "?done=fault", nil
	})
}

// faultClose closes an open fault with a note, which the audit log keeps,
// and returns to the customer page it was closed from, else to the queue.
func (h *Handler) faultClose(w http.ResponseWriter, v *visit) error {
	note, err := formValue(v, "note")
	if err != nil {
		return err
	}
	if len(note) < 5 {
		return &pageError{Status: http.StatusBadRequest, Key: "fault.neednote"}
	}
	err = care.CloseFault(v.r.Context(), h.DB, v.r.PathValue("id"), v.user().Actor(), note)
	if errors.Is(err, care.ErrClosed) {
		return &pageError{Status: http.StatusConflict, Key: "fault.closed.already", cause: err}
	}
	if err != nil {
		return err
	}
	if drn := customer.NormalizeNumber(v.r.PostFormValue("meter")); drn != "" {
		m, err := customer.GetMeter(v.r.Context(), h.DB.Read(), drn)
		if err != nil {
			return err
		}
		return redirect(w, v, meterHome(m)+"?done=closed")
	}
	return redirect(w, v, "/staff/faults?done=closed")
}

// meterHome is the page a meter's history is on: its customer's, or its
// own when it has none.
func meterHome(m customer.Meter) string {
	if m.CustomerID != "" {
		return "/staff/customers/" + url.PathEscape(m.CustomerID)
	}
	return "/staff/meters/" + url.PathEscape(m.DRN)
}
