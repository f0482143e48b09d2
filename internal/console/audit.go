package console

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/phone"
)

type auditData struct {
	Filter payment.AuditFilter
	Events []payment.AuditEvent
	Next   string // the query of the next page, "" at the end
}

// auditLog shows who did what to which record, newest first, for the
// auditors (and admins): every staff action and every read of a customer.
func (h *Handler) auditLog(w http.ResponseWriter, v *visit) error {
	q := v.r.URL.Query()
	f := payment.AuditFilter{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Subject: strings.TrimSpace(q.Get("subject")), Limit: 100}
	if b := q.Get("before"); b != "" {
		if at, err := time.Parse(time.RFC3339Nano, b); err == nil {
			f.Before = at
		}
	}
	es, err := payment.AuditEvents(v.r.Context(), h.DB.Read(), f)
	if err != nil {
		return err
	}
	mask := Masks(v.user().Role)
	for i := range es {
		if mask {
			es[i].Detail = maskDetail(es[i].Action, es[i].Detail)
		}
	}
	d := auditData{Filter: f, Events: es}
	if len(es) == f.Limit {
		next := q
		next.Set("before", es[len(es)-1].At.Format(time.RFC3339Nano))
		d.Next = next.Encode()
	}
	return h.render(w, v, http.StatusOK, "audit", h.page(v, "audit.title", d))
}

// phoneLike finds Kenyan mobile numbers written in an audit event's detail.
var phoneLike = regexp.MustCompile(`\+?\b(?:254|0)[17]\d{8}\b`)

// maskDetail hides what an auditor does not see: phone numbers, and the
// text of customer searches (names, numbers).
func maskDetail(action, detail string) string {
	if action == "customer.search" {
		return "…"
	}
	return phoneLike.ReplaceAllStringFunc(detail, func(s string) string {
		if n, err := phone.Normalize(s); err == nil {
			return phone.Mask(n)
		}
		return "***"
	})
}
