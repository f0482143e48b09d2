package console

import (
	"errors"
	"net/http"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// macrosPage lists the saved replies; admins edit them.
type macrosPage struct {
	Macros []care.Macro
	Edits  bool
}

// macros lists the saved replies in both languages, with forms to edit
// them for admins.
func (h *Handler) macros(w http.ResponseWriter, v *visit) error {
	ms, err := care.Macros(v.r.Context(), h.DB.Read())
	if err != nil {
		return err
	}
	p := h.page(v, "macros.title", macrosPage{Macros: ms, Edits: v.user().Role == staff.RoleAdmin})
	if v.r.URL.Query().Get("done") == "saved" {
		p.Notice = t(v.lang, "macros.saved")
	}
	return h.render(w, v, http.StatusOK, "macros", p)
}

// macroSave creates a saved reply, or changes the one its id names.
func (h *Handler) macroSave(w http.ResponseWriter, v *visit) error {
	id, err := formValue(v, "id")
	if err != nil {
		return err
	}
	f := v.r.PostForm
	_, err = care.SaveMacro(v.r.Context(), h.DB, care.Macro{ID: id, Name: f.Get("name"), EN: f.Get("en"), SW: f.Get("sw")}, v.user().Actor())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return &pageError{Status: http.StatusBadRequest, Key: "macros.bad", cause: err}
	}
	if err != nil {
		return err
	}
	return redirect(w, v, "/staff/macros?done=saved")
}

func (h *Handler) macroDelete(w http.ResponseWriter, v *visit) error {
	if err := care.DeleteMacro(v.r.Context(), h.DB, v.r.PathValue("id"), v.user().Actor()); err != nil {
		return err
	}
	return redirect(w, v, "/staff/macros?done=saved")
}
