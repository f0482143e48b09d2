package portal

import (
	"net/http"
	"time"
)

// loginPhoneCookie keeps the number a code was sent to between the two
// login forms, so that it stays out of URLs and logs.
const loginPhoneCookie = "mteja_login_phone"

type loginData struct {
	Phone string
	Next  string
}

// loginForm asks for the phone number.
func (h *Handler) loginForm(w http.ResponseWriter, v *visit) error {
	next := safeNext(v.r.URL.Query().Get("next"))
	if v.session != nil {
		return redirect(w, v, next)
	}
	d := loginData{Next: next}
	if n := loginPhone(v.r); n != "" {
		// Back for a new code: the number is known.
		d.Phone = showPhone(n)
	}
	return h.render(w, v, http.StatusOK, "login", v.page("login.title", d))
}

func (h *Handler) setLoginPhone(w http.ResponseWriter, msisdn string) {
	http.SetCookie(w, &http.Cookie{Name: loginPhoneCookie, Value: msisdn, Path: "/login", MaxAge: int((10 * time.Minute).Seconds()),
		HttpOnly: true, Secure: h.Cookies.Secure, SameSite: http.SameSiteLaxMode})
}

func (h *Handler) clearLoginPhone(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: loginPhoneCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: h.Cookies.Secure, SameSite: http.SameSiteLaxMode})
}

func loginPhone(r *http.Request) string {
	c, err := r.Cookie(loginPhoneCookie)
	if err != nil {
		return ""
	}
	return c.Value
}
