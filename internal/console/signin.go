package console

import (
	"errors"
	"net/http"

	"github.com/mteja/mteja/internal/staff"
)

type signinData struct {
	Username string
	Next     string
}

func (h *Handler) signinForm(w http.ResponseWriter, v *visit) error {
	next := safeNext(v.r.URL.Query().Get("next"))
	if v.session != nil {
		return redirect(w, v, next)
	}
	return h.render(w, v, http.StatusOK, "signin", h.page(v, "signin.title", signinData{Next: next}))
}

// signin checks the username, password and code together and gives one
// answer to every failure, so that the form tells a guesser nothing.
func (h *Handler) signin(w http.ResponseWriter, v *visit) error {
	username, err := formValue(v, "username")
	if err != nil {
		return err
	}
	d := signinData{Username: username, Next: safeNext(v.r.PostFormValue("next"))}
	sess, token, err := h.Staff.SignIn(v.r.Context(), username, v.r.PostFormValue("password"), v.r.PostFormValue("code"), clientAddress(v.r))
	if errors.Is(err, staff.ErrSignIn) {
		p := h.page(v, "signin.title", d)
		p.Err = t(v.lang, "signin.wrong")
		return h.render(w, v, http.StatusUnauthorized, "signin", p)
	}
	if err != nil {
		return err
	}
	h.setCookie(w, token, sess.ExpiresAt)
	if sess.User.Role == staff.RoleHub && d.Next == "/staff/" {
		d.Next = "/staff/hub" // an attendant's console is their hub's screen
	}
	return redirect(w, v, d.Next)
}

func (h *Handler) signout(w http.ResponseWriter, v *visit) error {
	if v.token != "" {
		if err := h.endAssistAtSignOut(w, v); err != nil {
			return err
		}
		if err := h.Staff.SignOut(v.r.Context(), v.token); err != nil {
			return err
		}
	}
	h.clearCookie(w)
	return redirect(w, v, "/staff/signin")
}
