package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/reconcile"
)

// recentDays is how many days back the close page lists.
const recentDays = 14

type daysData struct {
	Day      string
	Over     bool // the day has ended, so it may be closed
	Closed   bool
	Changed  bool // a figure the entries booked differs from now
	CanClose bool
	Entries  []reconcile.Entry // the close, then its corrections
	Lines    []figureRow
	Recent   []dayStatus
}

// figureRow is one figure of a day: as each entry booked it, and as it
// stands now.
type figureRow struct {
	Name    string
	Entries []*reconcile.Line // nil where an entry did not book it
	Now     *reconcile.Line
	Changed bool // what the entries booked differs from now
}

type dayStatus struct {
	Day         string
	Close       *reconcile.Entry
	Corrections int
}

// days shows a day's figures (by default yesterday's, East Africa Time):
// its close and each later correction, and the figures as they stand now,
// so that what changed since shows; finance closes a day once it is over,
// and closes it again to book a change as a correction. The last two
// weeks are listed with when each was closed.
func (h *Handler) days(w http.ResponseWriter, v *visit) error {
	day := strings.TrimSpace(v.r.URL.Query().Get("day"))
	if day == "" {
		day = reconcile.Day(time.Now().AddDate(0, 0, -1))
	}
	p, err := h.daysPage(v, day)
	if err != nil {
		return err
	}
	switch v.r.URL.Query().Get("done") {
	case reconcile.EntryClose:
		p.Notice = t(v.lang, "recon.closed", day)
	case reconcile.EntryCorrection:
		p.Notice = t(v.lang, "recon.corrected", day)
	}
	return h.render(w, v, http.StatusOK, "days", p)
}

func (h *Handler) daysPage(v *visit, day string) (page, error) {
	ctx := v.r.Context()
	start, err := reconcile.ParseDay(day)
	if err != nil {
		return page{}, &pageError{Status: http.StatusBadRequest, Key: "recon.badday", cause: err}
	}
	d := daysData{Day: reconcile.Day(start), Over: !time.Now().Before(start.AddDate(0, 0, 1)), CanClose: Allows(financeRoles, v.user().Role)}
	if d.Entries, err = reconcile.Closes(ctx, h.DB.Read(), d.Day); err != nil {
		return page{}, err
	}
	d.Closed = len(d.Entries) > 0
	now, err := reconcile.Figures(ctx, h.DB.Read(), d.Day)
	if err != nil {
		return page{}, err
	}
	d.Lines = figureRows(d.Entries, now)
	for _, r := range d.Lines {
		d.Changed = d.Changed || r.Changed
	}
	today, _ := reconcile.ParseDay(reconcile.Day(time.Now()))
	for i := range recentDays {
		s := dayStatus{Day: reconcile.Day(today.AddDate(0, 0, -1-i))}
		es, err := reconcile.Closes(ctx, h.DB.Read(), s.Day)
		if err != nil {
			return page{}, err
		}
		if len(es) > 0 {
			s.Close, s.Corrections = &es[0], len(es)-1
		}
		d.Recent = append(d.Recent, s)
	}
	p := h.page(v, "recon.days.title", d, d.Day)
	p.Path = "/staff/reconcile/days?day=" + url.QueryEscape(d.Day)
	return p, nil
}

// figureRows lays a day's entries and its figures now side by side, in
// the order the figures come, then any line only an entry has (a channel
// with no payment now).
func figureRows(entries []reconcile.Entry, now []reconcile.Line) []figureRow {
	var out []figureRow
	at := map[string]int{}
	row := func(name string) *figureRow {
		i, ok := at[name]
		if !ok {
			i = len(out)
			at[name] = i
			out = append(out, figureRow{Name: name, Entries: make([]*reconcile.Line, len(entries))})
		}
		return &out[i]
	}
	for i := range now {
		row(now[i].Name).Now = &now[i]
	}
	for j := range entries {
		for i := range entries[j].Lines {
			l := &entries[j].Lines[i]
			row(l.Name).Entries[j] = l
		}
	}
	for i := range out {
		r := &out[i]
		var n int64
		var a money.Amount
		for _, l := range r.Entries {
			if l != nil {
				n, a = n+l.Count, a+l.Amount
			}
		}
		var nowN int64
		var nowA money.Amount
		if r.Now != nil {
			nowN, nowA = r.Now.Count, r.Now.Amount
		}
		r.Changed = len(entries) > 0 && !reconcile.Snapshot(r.Name) && (n != nowN || a != nowA)
	}
	return out
}

// closeDay fixes a day's figures, or, once closed, books what changed
// them since as a correction.
func (h *Handler) closeDay(w http.ResponseWriter, v *visit) error {
	day := v.r.PathValue("day")
	e, err := reconcile.Close(v.r.Context(), h.DB, day, v.user().Actor())
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, reconcile.ErrClosed):
		status = http.StatusConflict
		fallthrough
	case errors.Is(err, reconcile.ErrDayNotOver), errors.Is(err, reconcile.ErrDay):
		p, perr := h.daysPage(v, day)
		if perr != nil {
			return perr
		}
		p.Err = t(v.lang, "recon.refused", err.Error())
		return h.render(w, v, status, "days", p)
	case err != nil:
		return err
	}
	return redirect(w, v, "/staff/reconcile/days?day="+url.QueryEscape(e.Day)+"&done="+e.Kind)
}

// LineName names a figure of a day's close in the page's language: a
// channel's line by its provider.
func (p page) LineName(name string) string {
	if base, provider, ok := strings.Cut(name, ":"); ok {
		return p.T("recon.line."+base) + ": " + provider
	}
	return p.T("recon.line." + name)
}

// EntryName names a day's close or one of its corrections.
func (p page) EntryName(e reconcile.Entry) string {
	if e.Kind == reconcile.EntryClose {
		return p.T("recon.entry.close")
	}
	return p.T("recon.entry.correction", e.Seq)
}
