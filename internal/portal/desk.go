package portal

import "github.com/mteja/mteja/internal/care"

// desk is the help desk tickets open on.
func (h *Handler) desk() *care.Desk {
	if h.Desk != nil {
		return h.Desk
	}
	return &care.Desk{DB: h.DB}
}
