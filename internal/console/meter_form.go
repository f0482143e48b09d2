package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
)

// registry makes the changes to meters, each with its audit event.
func (h *Handler) registry() *customer.Registry {
	return &customer.Registry{DB: h.DB, Audit: payment.Audit}
}

// form reads a posted form's fields, trimmed, and collects what cannot be
// read, to be shown with the domain's problems.
type form struct {
	lang     string
	values   url.Values
	problems []string
}

// readForm parses the posted form, bounded, as formValue does.
func readForm(v *visit) (*form, error) {
	if _, err := formValue(v, ""); err != nil {
		return nil, err
	}
	return &form{lang: v.lang, values: v.r.PostForm}, nil
}

// ok reports whether every field read.
func (f *form) ok() bool { return len(f.problems) == 0 }

func (f *form) str(name string) string { return strings.TrimSpace(f.values.Get(name)) }

// opt is a field's value, nil when it is empty or absent.
func (f *form) opt(name string) *string {
	if s := f.str(name); s != "" {
		return &s
	}
	return nil
}

// num is a whole number field, nil when empty.
func (f *form) num(name string) *int {
	s := f.str(name)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.problems = append(f.problems, t(f.lang, "form.notnumber", name, s))
		return nil
	}
	return &n
}

// list is a field of several values, one a line or comma-separated.
func (f *form) list(name string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(f.values.Get(name), func(r rune) bool { return r == '\n' || r == '\r' || r == ',' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// keys are the key parameters the form sets; an empty field keeps the
// value the meter has (for a new meter, the default).
func (f *form) keys() customer.KeyParams {
	return customer.KeyParams{SGC: f.opt("sgc"), TI: f.num("ti"), KRN: f.num("krn"), KT: f.num("kt"), KEN: f.num("ken"),
		BaseDate: f.num("base_date"), Algorithm: f.opt("algorithm"), DKGA: f.opt("dkga")}
}

// owner is whose a meter becomes: an existing customer by ID, or a new one
// with a name.
func (f *form) owner() customer.Owner {
	id, name, phones := f.str("customer"), f.str("name"), f.list("phones")
	switch {
	case id != "" && (name != "" || len(phones) > 0):
		f.problems = append(f.problems, t(f.lang, "owner.both"))
	case id != "":
		return customer.Owner{CustomerID: id}
	case name == "":
		f.problems = append(f.problems, t(f.lang, "owner.none"))
	}
	return customer.Owner{New: customer.Customer{Name: name, Language: f.str("language"), Phones: phones}}
}

// registryProblems returns what is wrong with a request the registry refused,
// every problem at once; a conflict with the meter's state is a page of
// its own, and any other error is returned as it is.
func registryProblems(err error) ([]string, error) {
	var ie *customer.InvalidError
	switch {
	case errors.As(err, &ie):
		return ie.Problems, nil
	case errors.Is(err, customer.ErrConflict):
		return nil, &pageError{Status: http.StatusConflict, Key: "error.conflict", Args: []any{err.Error()}, cause: err}
	}
	return nil, err
}

// keyField is one key parameter's input.
type keyField struct {
	ID, Name, Label, Value, Pattern string
}

// keyFields are the inputs of a meter's key parameters, ids prefixed,
// valued by value (a field's name to its value).
func keyFields(prefix string, algorithm bool, value func(name string) string) []keyField {
	fields := []keyField{{Name: "sgc", Pattern: "[0-9]{6}"}, {Name: "ti", Pattern: "[0-9]{1,2}"}, {Name: "krn", Pattern: "[0-9]"}, {Name: "kt", Pattern: "[0-3]"},
		{Name: "ken", Pattern: "[0-9]{1,3}"}, {Name: "base_date", Pattern: "1993|2014|2035"}, {Name: "dkga", Pattern: "0?[24]"}}
	if algorithm {
		fields = append(fields, keyField{Name: "algorithm", Pattern: "EA07|EA11|ea07|ea11"})
	}
	for i := range fields {
		fields[i].ID, fields[i].Label, fields[i].Value = prefix+"-"+fields[i].Name, "keys."+fields[i].Name, value(fields[i].Name)
	}
	return fields
}

// meterKeys are a meter's key parameters by field name.
func meterKeys(m customer.Meter) map[string]string {
	return map[string]string{"sgc": m.SGC, "ti": strconv.Itoa(m.TI), "krn": strconv.Itoa(m.KRN), "kt": strconv.Itoa(m.KT),
		"ken": strconv.Itoa(m.KEN), "base_date": strconv.Itoa(m.BaseDate), "algorithm": m.Algorithm, "dkga": m.DKGA}
}
