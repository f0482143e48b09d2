package console

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// defaultDays is the period a report shows unless asked: the last week,
// today included.
const defaultDays = 7

// maxReportRows is how many rows of a report's table its page shows; the
// CSV has them all. A year of revenue by day, channel, tariff and area
// would otherwise make a page of megabytes.
const maxReportRows = 50

type reportsData struct {
	Reports []reportLink
}

type reportLink struct{ ID, Title string }

// reports lists the management reports.
func (h *Handler) reports(w http.ResponseWriter, v *visit) error {
	var d reportsData
	for _, r := range report.All {
		d.Reports = append(d.Reports, reportLink{r.ID, r.Title.In(report.Lang(v.lang))})
	}
	return h.render(w, v, http.StatusOK, "reports", h.page(v, "rep.title", d))
}

// period is a report's period as asked for: whole days in East Africa
// Time, the last up to now.
type period struct {
	From, To string // YYYY-MM-DD, as typed
	Range    report.Range
}

// parsePeriod reads from and to (YYYY-MM-DD, both included); without
// them, the last week. A malformed date, a period ending before it starts
// or one longer than report.MaxDays is an error a person can act on.
func parsePeriod(q url.Values, now time.Time) (period, error) {
	today := now.In(tariff.Zone)
	p := period{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	if p.To == "" {
		p.To = today.Format(time.DateOnly)
	}
	last, err := time.ParseInLocation(time.DateOnly, p.To, tariff.Zone)
	if err != nil {
		return p, &pageError{Status: http.StatusBadRequest, Key: "rep.baddate", Args: []any{short(p.To)}, cause: err}
	}
	if p.From == "" {
		p.From = last.AddDate(0, 0, 1-defaultDays).Format(time.DateOnly)
	}
	first, err := time.ParseInLocation(time.DateOnly, p.From, tariff.Zone)
	if err != nil {
		return p, &pageError{Status: http.StatusBadRequest, Key: "rep.baddate", Args: []any{short(p.From)}, cause: err}
	}
	switch days := int(last.Sub(first).Hours()/24) + 1; {
	case days < 1:
		return p, &pageError{Status: http.StatusBadRequest, Key: "rep.reversed"}
	case days > report.MaxDays:
		return p, &pageError{Status: http.StatusBadRequest, Key: "rep.toolong", Args: []any{report.MaxDays, days}}
	}
	p.From, p.To, p.Range = first.Format(time.DateOnly), last.Format(time.DateOnly), report.Days(first, last)
	// A period that runs on past now ends now: a report that ages what is
	// waiting (suspense) ages it to now, not to midnight.
	if now.After(p.Range.From) && now.Before(p.Range.To) {
		p.Range.To = now
	}
	return p, nil
}

// short cuts what someone typed for a message.
func short(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}

type reportData struct {
	ID, Title, Note string
	From, To        string
	Charts          []template.HTML
	Columns         []reportColumn
	Rows            [][]string
	Total           int
	CSV             string // the table as CSV, for the period
	MaxDays         int
}

type reportColumn struct {
	Label   string
	Numeric bool
}

// report shows one report for a period: its charts, where a person would
// rather look than read, then its table, and a link to the table as CSV.
// A bad period is shown with the form, to be corrected.
func (h *Handler) report(w http.ResponseWriter, v *visit) error {
	rep, ok := findReport(v.r.PathValue("id"))
	if !ok {
		return store.ErrNotFound
	}
	lang := report.Lang(v.lang)
	per, err := parsePeriod(v.r.URL.Query(), time.Now())
	d := reportData{ID: rep.ID, Title: rep.Title.In(lang), From: per.From, To: per.To, MaxDays: report.MaxDays}
	p := h.page(v, "rep.page.title", &d, d.Title)
	var pe *pageError
	if errors.As(err, &pe) {
		p.Err = t(v.lang, pe.Key, pe.Args...)
		return h.render(w, v, pe.Status, "report", p)
	}
	tb, err := rep.Run(v.r.Context(), h.DB.Read(), per.Range)
	if err != nil {
		return err
	}
	d.Note, d.Total = tb.Note.In(lang), len(tb.Rows)
	d.CSV = "/staff/reports/" + rep.ID + "/csv?" + url.Values{"from": {per.From}, "to": {per.To}}.Encode()
	for _, pl := range tb.Plots {
		c, err := chart(pl, v.lang)
		if err != nil {
			return err
		}
		d.Charts = append(d.Charts, c)
	}
	for _, c := range tb.Columns {
		d.Columns = append(d.Columns, reportColumn{c.Label.In(lang), c.Kind != report.Text && c.Kind != report.Day})
	}
	for i := range min(len(tb.Rows), maxReportRows) {
		row := make([]string, len(tb.Columns))
		for j := range row {
			row[j] = tb.Format(i, j, lang)
		}
		d.Rows = append(d.Rows, row)
	}
	return h.render(w, v, http.StatusOK, "report", p)
}

// reportCSV sends a report's table for a period as a CSV file, its header
// in the page's language; each download is audited.
func (h *Handler) reportCSV(w http.ResponseWriter, v *visit) error {
	rep, ok := findReport(v.r.PathValue("id"))
	if !ok {
		return store.ErrNotFound
	}
	per, err := parsePeriod(v.r.URL.Query(), time.Now())
	if err != nil {
		return err
	}
	tb, err := rep.Run(v.r.Context(), h.DB.Read(), per.Range)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := report.WriteCSV(&b, tb, report.Lang(v.lang)); err != nil {
		return err
	}
	if err := h.audit(v, "report.download", rep.ID, per.From+" to "+per.To); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="`+rep.ID+"_"+per.From+"_"+per.To+`.csv"`)
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(b.Bytes())
	return err
}

func findReport(id string) (report.Report, bool) {
	for _, r := range report.All {
		if r.ID == id {
			return r, true
		}
	}
	return report.Report{}, false
}
