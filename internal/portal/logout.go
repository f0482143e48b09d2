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
	if v.assist != nil {
		return redirect(w, v, "/staff/hub") // the attendant's counter, for the next customer
	}
	return redirect(w, v, "/login")
}
