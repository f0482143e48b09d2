package portal

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/mteja/mteja/internal/login"
)

// loginSend sends a login code to the number typed.
func (h *Handler) loginSend(w http.ResponseWriter, v *visit) error {
	d := loginData{Phone: v.r.PostFormValue("phone"), Next: safeNext(v.r.PostFormValue("next"))}
	msisdn, err := h.Login.RequestCode(v.r.Context(), d.Phone, login.ClientAddress(v.r))
	var rl *login.RateLimitError
	switch {
	case errors.Is(err, login.ErrBadPhone):
		p := v.page("login.title", d)
		p.Err = t(v.lang, "err.phone")
		return h.render(w, v, http.StatusBadRequest, "login", p)
	case errors.As(err, &rl):
		p := v.page("login.title", d)
		p.Err = t(v.lang, "err.wait", wait(v.lang, rl.RetryAfter))
		return h.render(w, v, http.StatusTooManyRequests, "login", p)
	case err != nil:
		return err
	}
	h.setLoginPhone(w, msisdn)
	return redirect(w, v, "/login/code?next="+url.QueryEscape(d.Next))
}
