package portal

import (
	"errors"
	"net/http"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store"
)

// reportDone shows one of the customer's reports: its reference, what they
// said, and every answer sent to them. Another's reference is not found,
// as an unknown one is.
func (h *Handler) reportDone(w http.ResponseWriter, v *visit) error {
	tk, err := care.GetTicket(v.r.Context(), h.DB.Read(), v.r.PathValue("ref"))
	if errors.Is(err, store.ErrNotFound) || err == nil && tk.MSISDN != v.session.MSISDN {
		return notFound()
	}
	if err != nil {
		return err
	}
	mt := h.myTicket(tk, v.lang)
	if mt.Events, err = care.CustomerEvents(v.r.Context(), h.DB.Read(), tk.ID); err != nil {
		return err
	}
	p := v.page("report.title", mt)
	p.Nav, p.Notice = "report", t(v.lang, "report.done", tk.Ref)
	return h.render(w, v, http.StatusOK, "report_done", p)
}
