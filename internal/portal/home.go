package portal

import "net/http"

// home sends customers to their meters, and others to log in.
func (h *Handler) home(w http.ResponseWriter, v *visit) error {
	if v.session != nil {
		return redirect(w, v, "/meters")
	}
	return redirect(w, v, "/login")
}
