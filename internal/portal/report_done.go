package portal

import (
	"net/http"

	"github.com/mteja/mteja/internal/care"
)

// reportDone confirms a report with its reference. Only the reporter's own
// references are shown.
func (h *Handler) reportDone(w http.ResponseWriter, v *visit) error {
	fs, err := care.Faults(v.r.Context(), h.DB, v.session.MSISDN, 50)
	if err != nil {
		return err
	}
	ref := v.r.PathValue("ref")
	for _, f := range fs {
		if f.Ref == ref {
			p := v.page("report.title", nil)
			p.Nav, p.Notice = "report", t(v.lang, "report.done", f.Ref)
			return h.render(w, v, http.StatusOK, "report_done", p)
		}
	}
	return notFound()
}
