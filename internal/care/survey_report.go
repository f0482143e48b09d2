package care

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// SurveyFigures are the figures of a group of surveys.
type SurveyFigures struct {
	Asked, Answered int
	CSATAnswers     int // CSAT scores received
	CSATSum         int
	CSATHigh        int // scores of 4 or 5
	NPSAnswers      int
	Promoters       int // 9-10
	Detractors      int // 0-6
}

// CSATAverage is the mean CSAT score, 0 with none.
func (f SurveyFigures) CSATAverage() float64 {
	if f.CSATAnswers == 0 {
		return 0
	}
	return float64(f.CSATSum) / float64(f.CSATAnswers)
}

// CSATHighShare is the percentage of CSAT scores of 4 or 5, rounded.
func (f SurveyFigures) CSATHighShare() int { return percent(f.CSATHigh, f.CSATAnswers) }

// NPS is the share of promoters less that of detractors, -100 to 100,
// rounded; 0 with no answers.
func (f SurveyFigures) NPS() int {
	return percent(f.Promoters, f.NPSAnswers) - percent(f.Detractors, f.NPSAnswers)
}

func percent(n, of int) int {
	if of == 0 {
		return 0
	}
	return (200*n + of) / (2 * of) // rounded half up
}

func (f *SurveyFigures) add(kind string, score sql.NullInt64) {
	f.Asked++
	if !score.Valid {
		return
	}
	f.Answered++
	s := int(score.Int64)
	if kind == SurveyNPS {
		f.NPSAnswers++
		switch {
		case s >= 9:
			f.Promoters++
		case s <= 6:
			f.Detractors++
		}
		return
	}
	f.CSATAnswers++
	f.CSATSum += s
	if s >= 4 {
		f.CSATHigh++
	}
}

// SurveyResults are the surveys asked in a period, in total and by the
// channel, category and team of the ticket asked about, the customer's
// area, and the Nairobi month asked ("2026-11"). NPS questions, about no
// ticket, have no channel, category or team ("").
type SurveyResults struct {
	From, To   time.Time
	Total      SurveyFigures
	ByChannel  map[string]SurveyFigures
	ByCategory map[string]SurveyFigures
	ByTeam     map[string]SurveyFigures
	ByArea     map[string]SurveyFigures
	ByMonth    map[string]SurveyFigures
	// ByAnswer is by where the score came from (AnswerSMS, AnswerUSSD; ""
	// for questions not answered).
	ByAnswer map[string]SurveyFigures
}

// SurveyReport sums up the surveys asked in [from, to).
func SurveyReport(ctx context.Context, q Querier, from, to time.Time) (SurveyResults, error) {
	r := SurveyResults{From: from, To: to, ByChannel: map[string]SurveyFigures{}, ByCategory: map[string]SurveyFigures{},
		ByTeam: map[string]SurveyFigures{}, ByArea: map[string]SurveyFigures{}, ByMonth: map[string]SurveyFigures{}, ByAnswer: map[string]SurveyFigures{}}
	rows, err := q.QueryContext(ctx, `SELECT kind, channel, category, team, area, asked_at, score, answer_channel FROM surveys WHERE asked_at >= $1 AND asked_at < $2`,
		store.Micros(from), store.Micros(to))
	if err != nil {
		return SurveyResults{}, fmt.Errorf("survey report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, channel, category, team, area, answered string
		var asked int64
		var score sql.NullInt64
		if err := rows.Scan(&kind, &channel, &category, &team, &area, &asked, &score, &answered); err != nil {
			return SurveyResults{}, fmt.Errorf("survey report: %w", err)
		}
		if kind == SurveyNPS {
			channel, category, team = "", "", ""
		}
		r.Total.add(kind, score)
		month := store.Time(asked).In(tariff.Zone).Format("2006-01")
		for _, g := range []struct {
			m   map[string]SurveyFigures
			key string
		}{{r.ByChannel, channel}, {r.ByCategory, category}, {r.ByTeam, team}, {r.ByArea, area}, {r.ByMonth, month}, {r.ByAnswer, answered}} {
			f := g.m[g.key]
			f.add(kind, score)
			g.m[g.key] = f
		}
	}
	if err := rows.Err(); err != nil {
		return SurveyResults{}, fmt.Errorf("survey report: %w", err)
	}
	return r, nil
}
