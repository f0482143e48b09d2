package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/mteja/mteja/internal/staff"
)

type usersData struct {
	Users []staff.User
	Roles []string
	Link  string // a set-up link just made, shown once
	For   string // whose
}

// users lists the staff accounts for an admin, who makes, resets, disables
// and re-roles them; a set-up link is shown once, when made.
func (h *Handler) users(w http.ResponseWriter, v *visit) error {
	return h.usersPage(w, v, http.StatusOK, "", "", "")
}

func (h *Handler) usersPage(w http.ResponseWriter, v *visit, status int, link, forUser, problem string) error {
	us, err := h.Staff.Users(v.r.Context())
	if err != nil {
		return err
	}
	p := h.page(v, "users.title", usersData{Users: us, Roles: staff.UserRoles, Link: link, For: forUser})
	p.Err = problem
	if q := v.r.URL.Query().Get("done"); q != "" && link == "" {
		p.Notice = t(v.lang, "users.done")
	}
	return h.render(w, v, status, "users", p)
}

// setupURL is a set-up token's page on this site.
func setupURL(r *http.Request, token string) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/staff/setup/" + token
}

func (h *Handler) userCreate(w http.ResponseWriter, v *visit) error {
	username, err := formValue(v, "username")
	if err != nil {
		return err
	}
	u, token, err := h.Staff.CreateUser(v.r.Context(), username, v.r.PostFormValue("name"), v.r.PostFormValue("role"), v.user().Actor())
	if errors.Is(err, staff.ErrBadUsername) || errors.Is(err, staff.ErrBadRole) || errors.Is(err, staff.ErrUsernameTaken) {
		return h.usersPage(w, v, http.StatusBadRequest, "", "", err.Error())
	}
	if err != nil {
		return err
	}
	return h.usersPage(w, v, http.StatusOK, setupURL(v.r, token), u.Username, "")
}

func (h *Handler) userReset(w http.ResponseWriter, v *visit) error {
	u, err := h.Staff.GetUser(v.r.Context(), v.r.PathValue("id"))
	if err != nil {
		return err
	}
	token, err := h.Staff.ResetUser(v.r.Context(), u.ID, v.user().Actor())
	if err != nil {
		return err
	}
	return h.usersPage(w, v, http.StatusOK, setupURL(v.r, token), u.Username, "")
}

func (h *Handler) userStatus(w http.ResponseWriter, v *visit) error {
	enable, err := formValue(v, "enable")
	if err != nil {
		return err
	}
	id := v.r.PathValue("id")
	if id == v.user().ID {
		return h.usersPage(w, v, http.StatusBadRequest, "", "", t(v.lang, "users.self"))
	}
	if err := h.Staff.SetStatus(v.r.Context(), id, enable == "1", v.user().Actor()); err != nil {
		return err
	}
	return redirect(w, v, "/staff/users?done=1")
}

func (h *Handler) userRole(w http.ResponseWriter, v *visit) error {
	role, err := formValue(v, "role")
	if err != nil {
		return err
	}
	id := v.r.PathValue("id")
	if id == v.user().ID {
		return h.usersPage(w, v, http.StatusBadRequest, "", "", t(v.lang, "users.self"))
	}
	if err := h.Staff.SetRole(v.r.Context(), id, role, v.user().Actor()); err != nil {
		if errors.Is(err, staff.ErrBadRole) {
			return h.usersPage(w, v, http.StatusBadRequest, "", "", err.Error())
		}
		return err
	}
	return redirect(w, v, "/staff/users?done=1")
}
