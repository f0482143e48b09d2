package console

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"

	"github.com/mteja/mteja/internal/staff"
)

type setupData struct {
	Username string
	Role     string
	Secret   string
	QR       template.URL // data:image/png;base64,...
	Codes    []string     // the recovery codes, once set-up is done
}

// setupForm is the page a set-up link opens: scan the QR code (or type the
// key), choose a password, confirm with a code from the app.
func (h *Handler) setupForm(w http.ResponseWriter, v *visit) error {
	e, err := h.Staff.BeginSetup(v.r.Context(), v.r.PathValue("token"))
	if errors.Is(err, staff.ErrSetupLink) {
		return &pageError{Status: http.StatusNotFound, Key: "setup.expired"}
	}
	if err != nil {
		return err
	}
	return h.render(w, v, http.StatusOK, "setup", h.page(v, "setup.title", enrolment(e)))
}

func enrolment(e staff.Enrolment) setupData {
	return setupData{Username: e.User.Username, Role: e.User.Role, Secret: e.Secret,
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRPNG))}
}

func (h *Handler) setup(w http.ResponseWriter, v *visit) error {
	token := v.r.PathValue("token")
	password, err := formValue(v, "password")
	if err != nil {
		return err
	}
	if password != v.r.PostFormValue("password2") {
		return h.setupAgain(w, v, token, t(v.lang, "setup.mismatch"))
	}
	codes, err := h.Staff.CompleteSetup(v.r.Context(), token, v.r.PostFormValue("password"), v.r.PostFormValue("code"))
	switch {
	case errors.Is(err, staff.ErrSetupLink):
		return &pageError{Status: http.StatusNotFound, Key: "setup.expired"}
	case errors.Is(err, staff.ErrWeakPassword):
		return h.setupAgain(w, v, token, err.Error())
	case errors.Is(err, staff.ErrBadCode):
		return h.setupAgain(w, v, token, t(v.lang, "setup.badcode"))
	case err != nil:
		return err
	}
	return h.render(w, v, http.StatusOK, "setup_done", h.page(v, "setup.done", setupData{Codes: codes}))
}

func (h *Handler) setupAgain(w http.ResponseWriter, v *visit, token, msg string) error {
	e, err := h.Staff.BeginSetup(v.r.Context(), token)
	if err != nil {
		return err
	}
	p := h.page(v, "setup.title", enrolment(e))
	p.Err = msg
	return h.render(w, v, http.StatusBadRequest, "setup", p)
}
