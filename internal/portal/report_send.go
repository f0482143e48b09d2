package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/mteja/mteja/internal/care"
)

// maxNote is the longest note care.ReportFault keeps.
const maxNote = 500

// reportSend records a fault and shows its reference.
func (h *Handler) reportSend(w http.ResponseWriter, v *visit) error {
	d, err := h.reportData(v, v.r.PostFormValue("meter"))
	if err != nil {
		return err
	}
	d.Kind = v.r.PostFormValue("kind")
	d.Note = strings.TrimSpace(v.r.PostFormValue("note"))
	refuse := func(key string) error {
		p := v.page("report.title", d)
		p.Nav, p.Err = "report", t(v.lang, key)
		return h.render(w, v, http.StatusBadRequest, "report", p)
	}
	mine := false
	for _, m := range d.Meters {
		mine = mine || m.DRN == d.Meter
	}
	switch {
	case !mine:
		return refuse("err.nometer")
	case !care.ValidFaultKind(d.Kind):
		return refuse("err.kind")
	case len(d.Note) > maxNote || !utf8.ValidString(d.Note):
		return refuse("err.note")
	}
	if err := take(h.limits.report, v.session.ID); err != nil {
		return err
	}
	f, err := h.desk().ReportFault(v.r.Context(), care.ChannelPortal, v.session.MSISDN, d.Meter, d.Kind, d.Note)
	if errors.Is(err, care.ErrTooMany) {
		return refuse("err.toomany")
	}
	if err != nil {
		return err
	}
	return redirect(w, v, "/report/"+url.PathEscape(f.Ref))
}
