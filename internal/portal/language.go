package portal

import (
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/customer"
)

// language switches between English and Swahili. The choice is kept on
// this browser and, for a logged-in customer, stored, so that their SMS
// and USSD menus follow it too.
func (h *Handler) language(w http.ResponseWriter, v *visit) error {
	lang := v.r.PostFormValue("lang")
	if lang != langEN && lang != langSW {
		return &pageError{Status: http.StatusBadRequest, Key: "error.notfound"}
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: h.Cookies.Secure, SameSite: http.SameSiteLaxMode})
	if v.session != nil {
		if err := customer.SetLanguage(v.r.Context(), h.DB, v.session.MSISDN, lang); err != nil {
			return err
		}
	}
	back := v.r.PostFormValue("back")
	if !localPath(back) {
		back = "/"
	}
	return redirect(w, v, back)
}
