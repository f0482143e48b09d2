package portal

import "net/http"

// logout ends the session on the server, not only in this browser.
func (h *Handler) logout(w http.ResponseWriter, v *visit) error {
	if v.token != "" {
		if err := h.Login.Logout(v.r.Context(), v.token); err != nil {
			return err
		}
	}
	h.Cookies.Clear(w)
	return redirect(w, v, "/login")
}
