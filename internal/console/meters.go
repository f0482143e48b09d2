package console

import (
	"net/http"
	"net/url"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/vend"
)

type registerData struct {
	Tariffs  []string
	Form     url.Values // as typed, or the defaults
	Problems []string
}

// Keys are the key parameters' inputs, as typed.
func (d registerData) Keys() []keyField {
	return keyFields("r", true, d.Form.Get)
}

// meterNew is the form that registers a meter, for a new customer or an
// existing one (?customer=ID names them).
func (h *Handler) meterNew(w http.ResponseWriter, v *visit) error {
	form := url.Values{"customer": {v.r.URL.Query().Get("customer")}}
	for k, val := range meterKeys(customer.DefaultKeys) {
		form.Set(k, val)
	}
	form.Set("sgc", "")
	return h.registerPage(w, v, http.StatusOK, registerData{Form: form})
}

func (h *Handler) registerPage(w http.ResponseWriter, v *visit, status int, d registerData) error {
	ts, err := vend.ListTariffs(v.r.Context(), h.DB.Read())
	if err != nil {
		return err
	}
	for _, s := range ts {
		d.Tariffs = append(d.Tariffs, s.ID)
	}
	p := h.page(v, "register.title", d)
	p.Path = "/staff/meters/new"
	return h.render(w, v, status, "meter_new", p)
}

// meterRegister registers a meter with its STS key parameters, for a new
// customer or an existing one; everything wrong is shown at once, with
// the form as it was typed.
func (h *Handler) meterRegister(w http.ResponseWriter, v *visit) error {
	f, err := readForm(v)
	if err != nil {
		return err
	}
	reg := customer.Registration{DRN: f.str("drn"), Keys: f.keys(), TariffID: f.str("tariff"), Area: f.str("area"), Owner: f.owner()}
	if s := f.str("debt"); s != "" {
		if reg.Debt, err = money.Parse(s); err != nil {
			f.problems = append(f.problems, t(v.lang, "register.baddebt", s))
		}
	}
	problems := f.problems
	if len(problems) == 0 {
		m, err := h.registry().Register(v.r.Context(), v.user().Actor(), reg)
		if err == nil {
			return redirect(w, v, "/staff/customers/"+url.PathEscape(m.CustomerID)+"?done=registered")
		}
		if problems, err = registryProblems(err); err != nil {
			return err
		}
	}
	return h.registerPage(w, v, http.StatusBadRequest, registerData{Form: f.values, Problems: problems})
}
