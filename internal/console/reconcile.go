package console

import (
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/reconcile"
)

// latest is how many pulls, statements and open exceptions the
// reconciliation page shows.
const latest = 10

// gapView is a stretch of time no pull read, with the statements imported
// whose transactions overlap it.
type gapView struct {
	reconcile.Span
	Pending    bool // the next pull cannot read it either
	Statements []string
}

type reconcileData struct {
	State     reconcile.PullState
	Gaps      []gapView
	Open      []reconcile.Exception
	CanImport bool
	MaxMB     int
}

// reconcile is finance's start: a statement to import, how far M-Pesa's
// Pull API has been read and what time only a statement can still cover,
// the statements imported, and the newest open exceptions.
func (h *Handler) reconcile(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	st, err := reconcile.GetPullState(ctx, h.DB.Read(), time.Now(), latest)
	if err != nil {
		return err
	}
	open, err := reconcile.Exceptions(ctx, h.DB.Read(), reconcile.Filter{State: reconcile.Open, Limit: latest})
	if err != nil {
		return err
	}
	maskExceptions(v, open)
	d := reconcileData{State: st, Open: open, CanImport: Allows(financeRoles, v.user().Role), MaxMB: maxStatement >> 20}
	if !st.Pending.From.IsZero() {
		d.Gaps = append(d.Gaps, gapView{Span: st.Pending, Pending: true})
	}
	for _, g := range st.Gaps {
		d.Gaps = append(d.Gaps, gapView{Span: g})
	}
	for i, g := range d.Gaps {
		for _, s := range st.Statements {
			if s.Span.Overlaps(g.Span) {
				d.Gaps[i].Statements = append(d.Gaps[i].Statements, s.Name)
			}
		}
	}
	return h.render(w, v, http.StatusOK, "reconcile", h.page(v, "recon.title", d))
}

// maskExceptions hides, from the roles that see masked numbers, any phone
// number a customer typed as the account or that a detail or note quotes.
func maskExceptions(v *visit, es []reconcile.Exception) {
	if !Masks(v.user().Role) {
		return
	}
	for i := range es {
		e := &es[i]
		e.AccountRef, e.Detail, e.Note = maskDetail("", e.AccountRef), maskDetail("", e.Detail), maskDetail("", e.Note)
	}
}
