package care_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/tariff"
)

// The report's figures against a table worked out by hand, including a
// survey asked late on 31 October UTC, which is November in Nairobi, and
// one asked before the period, which is left out.
func TestSurveyReportFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rows := []struct {
			kind, channel, category, team, area, at string
			score                                   any
		}{
			{"csat", "sms", "billing", "billing", "Kibera", "2026-10-15T09:00:00Z", 5},
			{"csat", "sms", "billing", "billing", "Kibera", "2026-10-20T09:00:00Z", 4},
			{"csat", "ussd", "outage", "care", "Kibera", "2026-11-03T09:00:00Z", 2},
			{"csat", "ussd", "outage", "care", "Kilimani", "2026-11-04T09:00:00Z", nil},
			{"nps", "sms", "", "", "Kibera", "2026-11-05T09:00:00Z", 10},
			{"nps", "sms", "", "", "Kilimani", "2026-11-06T09:00:00Z", 3},
			{"nps", "sms", "", "", "Kilimani", "2026-11-07T09:00:00Z", 8},
			{"csat", "portal", "billing", "billing", "Kilimani", "2026-10-31T22:00:00Z", 3},
			{"nps", "sms", "", "", "Kibera", "2026-11-08T09:00:00Z", 9},
			{"csat", "sms", "billing", "billing", "Kibera", "2026-09-30T20:59:00Z", 1}, // September in Nairobi
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i, r := range rows {
				at, _ := time.Parse(time.RFC3339, r.at)
				if _, err := tx.Exec(`INSERT INTO surveys (id, kind, msisdn, channel, category, team, area, asked_at, score) VALUES ($1, $2, '254700000000', $3, $4, $5, $6, $7, $8)`,
					string(rune('a'+i)), r.kind, r.channel, r.category, r.team, r.area, store.Micros(at), r.score); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		from := time.Date(2026, 10, 1, 0, 0, 0, 0, tariff.Zone)
		got, err := care.SurveyReport(ctx, db.Read(), from, from.AddDate(0, 2, 0))
		if err != nil {
			t.Fatal(err)
		}
		// asked, answered, CSAT answers, CSAT sum, % of CSAT 4-5, NPS
		type want [6]int
		figures := func(f care.SurveyFigures) want {
			return want{f.Asked, f.Answered, f.CSATAnswers, f.CSATSum, f.CSATHighShare(), f.NPS()}
		}
		cases := []struct {
			name string
			got  map[string]care.SurveyFigures
			want map[string]want
		}{
			{"total", map[string]care.SurveyFigures{"": got.Total}, map[string]want{"": {9, 8, 4, 14, 50, 25}}},
			{"month", got.ByMonth, map[string]want{"2026-10": {2, 2, 2, 9, 100, 0}, "2026-11": {7, 6, 2, 5, 0, 25}}},
			{"channel", got.ByChannel, map[string]want{"sms": {2, 2, 2, 9, 100, 0}, "ussd": {2, 1, 1, 2, 0, 0}, "portal": {1, 1, 1, 3, 0, 0}, "": {4, 4, 0, 0, 0, 25}}},
			{"team", got.ByTeam, map[string]want{"billing": {3, 3, 3, 12, 67, 0}, "care": {2, 1, 1, 2, 0, 0}, "": {4, 4, 0, 0, 0, 25}}},
			{"category", got.ByCategory, map[string]want{"billing": {3, 3, 3, 12, 67, 0}, "outage": {2, 1, 1, 2, 0, 0}, "": {4, 4, 0, 0, 0, 25}}},
			{"area", got.ByArea, map[string]want{"Kibera": {5, 5, 3, 11, 67, 100}, "Kilimani": {4, 3, 1, 3, 0, -50}}},
		}
		for _, c := range cases {
			if len(c.got) != len(c.want) {
				t.Errorf("by %s: %d groups %v; want %d", c.name, len(c.got), c.got, len(c.want))
			}
			for k, w := range c.want {
				if g := figures(c.got[k]); g != w {
					t.Errorf("by %s %q: %v; want %v", c.name, k, g, w)
				}
			}
		}
		if avg := got.ByArea["Kibera"].CSATAverage(); avg < 3.66 || avg > 3.67 {
			t.Errorf("Kibera's CSAT average %.3f; want 11/3", avg)
		}
	})
}
