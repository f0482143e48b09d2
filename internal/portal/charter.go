package portal

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/charter"
)

// charterMonths is how many months the public charter report shows.
const charterMonths = 6

// charterTTL is how long a computed report is served before it is read
// again: the page is public, and its figures move slowly.
const charterTTL = 5 * time.Minute

// charterCache holds the last report, so that a crowd on the public page
// costs one set of queries every few minutes.
type charterCache struct {
	mu   sync.Mutex
	at   time.Time
	rows []charter.Row
}

func (h *Handler) charterRows(v *visit) ([]charter.Row, error) {
	h.charterCache.mu.Lock()
	defer h.charterCache.mu.Unlock()
	now := h.DB.Now()
	if h.charterCache.rows != nil && now.Sub(h.charterCache.at) < charterTTL && !now.Before(h.charterCache.at) {
		return h.charterCache.rows, nil
	}
	rows, err := charter.Report(v.r.Context(), h.DB.Read(), h.Charter, now, charterMonths)
	if err != nil {
		return nil, err
	}
	h.charterCache.rows, h.charterCache.at = rows, now
	return rows, nil
}

type charterMonth struct {
	Month time.Time
	Rows  []charter.Row
}

// charterPage is the public charter report: each standard's figures for
// the last months, for anyone, logged in or not.
func (h *Handler) charterPage(w http.ResponseWriter, v *visit) error {
	rows, err := h.charterRows(v)
	if err != nil {
		return err
	}
	var months []charterMonth
	for _, r := range rows {
		if n := len(months); n == 0 || !months[n-1].Month.Equal(r.Month) {
			months = append(months, charterMonth{Month: r.Month})
		}
		months[len(months)-1].Rows = append(months[len(months)-1].Rows, r)
	}
	open, closed := h.Charter.Hours.Clock()
	p := v.page("charter.title", struct {
		Months      []charterMonth
		Open, Close string
	}{months, open, closed})
	p.Nav = "charter"
	return h.render(w, v, http.StatusOK, "charter", p)
}

// charterCSV is the same report as CSV, one row a standard and month.
func (h *Handler) charterCSV(w http.ResponseWriter, v *visit) error {
	rows, err := h.charterRows(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="charter.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"month", "standard", "title", "target", "cases", "met", "breached", "open", "met_share_pct", "compensation_kes"})
	for _, r := range rows {
		share := ""
		if s := r.MetShare(); s >= 0 {
			share = fmt.Sprintf("%d.%d", s/10, s%10)
		}
		cw.Write([]string{r.Month.Format("2006-01"), r.Standard.Code, r.Standard.Title(v.lang), r.Standard.Target.String(),
			strconv.Itoa(r.Cases), strconv.Itoa(r.Met), strconv.Itoa(r.Breached), strconv.Itoa(r.Open()), share, r.Compensation.String()})
	}
	cw.Flush()
	return cw.Error()
}

var monthsSW = [...]string{"Januari", "Februari", "Machi", "Aprili", "Mei", "Juni", "Julai", "Agosti", "Septemba", "Oktoba", "Novemba", "Desemba"}

// showMonth names a month in lang: "November 2026", "Novemba 2026".
func showMonth(m time.Time, lang string) string {
	if lang == "sw" {
		return monthsSW[m.Month()-1] + " " + strconv.Itoa(m.Year())
	}
	return m.Format("January 2006")
}
