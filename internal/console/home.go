package console

import "net/http"

// home is where a signed-in staff member lands: the menu of what their
// role may do.
func (h *Handler) home(w http.ResponseWriter, v *visit) error {
	return h.render(w, v, http.StatusOK, "home", h.page(v, "home.title", nil))
}
