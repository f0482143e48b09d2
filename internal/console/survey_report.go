package console

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/tariff"
)

// surveyReportPage is the customers' feedback over some months, ready to
// show: one table for each way of grouping it.
type surveyReportPage struct {
	From, To string // 2026-03, both months included
	Total    []string
	Tables   []surveyTable
}

type surveyTable struct {
	By   string     // what the rows are: channel, category, ...
	Rows [][]string // name, asked, answered, CSAT average, CSAT 4-5, NPS
}

// maxSurveyMonths bounds one report's period.
const maxSurveyMonths = 24

// surveyReport shows the CSAT and NPS answers of the months asked (Nairobi
// time; the last six by default) by channel, category, team, area and month.
func (h *Handler) surveyReport(w http.ResponseWriter, v *visit) error {
	now := time.Now().In(tariff.Zone)
	to := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, tariff.Zone)
	from := to.AddDate(0, -5, 0)
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if s := v.r.URL.Query().Get(p.name); s != "" {
			m, err := time.ParseInLocation("2006-01", s, tariff.Zone)
			if err != nil {
				return &pageError{Status: http.StatusBadRequest, Key: "surveys.badmonth", cause: err}
			}
			*p.t = m
		}
	}
	end := to.AddDate(0, 1, 0)
	if !from.Before(end) || from.AddDate(0, maxSurveyMonths, 0).Before(end) {
		return &pageError{Status: http.StatusBadRequest, Key: "surveys.badperiod", cause: fmt.Errorf("survey report %s to %s", from, to)}
	}
	r, err := care.SurveyReport(v.r.Context(), h.DB.Read(), from, end)
	if err != nil {
		return err
	}
	d := h.desk()
	none := func(s string) string {
		if s == "" {
			return "–"
		}
		return s
	}
	data := surveyReportPage{From: from.Format("2006-01"), To: to.Format("2006-01"), Total: surveyRow(t(v.lang, "surveys.total"), r.Total)}
	for _, g := range []struct {
		by string // the table's title
		m  map[string]care.SurveyFigures
	}{{"surveys.by.channel", r.ByChannel}, {"surveys.by.category", r.ByCategory}, {"surveys.by.team", r.ByTeam},
		{"surveys.by.area", r.ByArea}, {"surveys.by.month", r.ByMonth}, {"surveys.by.answer", r.ByAnswer}} {
		tb := surveyTable{By: t(v.lang, g.by)}
		for _, k := range slices.Sorted(maps.Keys(g.m)) {
			name := none(k)
			switch {
			case k == "":
			case g.by == "surveys.by.channel" || g.by == "surveys.by.answer":
				key := "ticket.channel." + k // one of care.Channels, each with a text
				name = t(v.lang, key)
			case g.by == "surveys.by.category":
				name = d.CategoryLabel(k, v.lang)
			}
			tb.Rows = append(tb.Rows, surveyRow(name, g.m[k]))
		}
		data.Tables = append(data.Tables, tb)
	}
	return h.render(w, v, http.StatusOK, "survey_report", h.page(v, "surveys.title", data, data.From, data.To))
}

// surveyRow is one group's figures as shown; "–" where nothing was answered.
func surveyRow(name string, f care.SurveyFigures) []string {
	avg, high, nps := "–", "–", "–"
	if f.CSATAnswers > 0 {
		avg, high = fmt.Sprintf("%.1f", f.CSATAverage()), fmt.Sprintf("%d%%", f.CSATHighShare())
	}
	if f.NPSAnswers > 0 {
		nps = fmt.Sprint(f.NPS())
	}
	return []string{name, fmt.Sprint(f.Asked), fmt.Sprint(f.Answered), avg, high, nps}
}
