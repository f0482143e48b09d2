package portal

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/mteja/mteja/internal/login"
)

// codeCheck logs the customer in when the code is right.
func (h *Handler) codeCheck(w http.ResponseWriter, v *visit) error {
	next := safeNext(v.r.PostFormValue("next"))
	msisdn := loginPhone(v.r)
	if msisdn == "" {
		return redirect(w, v, "/login?next="+url.QueryEscape(next))
	}
	// The limits that stop guessing are in the database (see Verify);
	// this one only shields the node from a flood.
	addr := login.ClientAddress(v.r)
	if err := take(h.limits.verify, addr); err != nil {
		return err
	}
	sess, token, err := h.Login.Verify(v.r.Context(), msisdn, v.r.PostFormValue("code"), login.KindWeb, addr)
	key := ""
	switch {
	case errors.Is(err, login.ErrCodeSpent):
		key = "err.code.spent"
	case errors.Is(err, login.ErrBadCode):
		key = "err.code"
	case err != nil:
		return err
	}
	if key != "" {
		p := v.page("code.title", loginData{Phone: showPhone(msisdn), Next: next})
		p.Err = t(v.lang, key)
		return h.render(w, v, http.StatusBadRequest, "code", p)
	}
	h.Cookies.Set(w, token, sess.ExpiresAt)
	h.clearLoginPhone(w)
	return redirect(w, v, next)
}
