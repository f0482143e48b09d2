package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/phone"
)

// phoneAdd registers another phone for a customer: an edit of the phones
// of the customer's meters, which then receive their tokens, and by which
// the customer is known on USSD and SMS.
func (h *Handler) phoneAdd(w http.ResponseWriter, v *visit) error {
	raw, err := formValue(v, "phone")
	if err != nil {
		return err
	}
	n, err := phone.Normalize(raw)
	if err != nil {
		return &pageError{Status: http.StatusBadRequest, Key: "resend.badphone", cause: err}
	}
	c, ms, err := h.customerOf(v)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return &pageError{Status: http.StatusConflict, Key: "phone.nometer"}
	}
	if _, err := h.registry().Edit(v.r.Context(), v.user().Actor(), ms[0].DRN, customer.Edit{AddPhones: []string{n}}); err != nil {
		problems, err := registryProblems(err)
		if err != nil {
			return err
		}
		return &pageError{Status: http.StatusBadRequest, Key: "error.invalid", Args: []any{strings.Join(problems, "; ")}}
	}
	return redirect(w, v, "/staff/customers/"+url.PathEscape(c.ID)+"?done=phone")
}
