package portal

import (
	"net/http"
	"net/url"
)

// codeForm asks for the code sent to the number given on the login form.
func (h *Handler) codeForm(w http.ResponseWriter, v *visit) error {
	next := safeNext(v.r.URL.Query().Get("next"))
	msisdn := loginPhone(v.r)
	if msisdn == "" {
		return redirect(w, v, "/login?next="+url.QueryEscape(next))
	}
	return h.render(w, v, http.StatusOK, "code", v.page("code.title", loginData{Phone: showPhone(msisdn), Next: next}))
}
