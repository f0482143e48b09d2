package report_test

import (
	"testing"
	"time"

	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestMessagesByRouteLaneAndOutcome(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		at := eat(3, 2, 12, 0, 0)
		for _, m := range []struct {
			route, lane, template, state string
			n                            int
		}{
			{"smpp", "token", "token", "delivered", 3},
			{"smpp", "token", "token", "failed", 1},
			{"httpsms", "token", "token", "delivered", 1},
			{"smpp", "otp", "otp", "submitted", 2},
			{"", "bulk", "outage", "queued", 2},
			{"smpp", "transactional", "keyword", "expired", 1},
		} {
			for range m.n {
				f.message(msg{route: m.route, lane: m.lane, template: m.template, state: m.state, queued: at})
			}
		}
		// Queued the day before the period.
		f.message(msg{route: "smpp", lane: "token", state: "delivered", queued: at.Add(-24 * time.Hour)})

		tbl := run(t, report.Messages, db, report.Days(at, at))
		checkRecords(t, records(t, tbl, report.EN), []string{
			"Route | Lane | Outcome | Messages",
			"(none) | Notices | Queued | 2",
			"httpsms | Tokens | Delivered | 1",
			"smpp | Tokens | Delivered | 3",
			"smpp | Tokens | Failed | 1",
			"smpp | Login codes | Sent, no receipt | 2",
			"smpp | Replies and receipts | Expired | 1",
		})
		checkRecords(t, records(t, tbl, report.SW)[:2], []string{"Njia | Aina | Matokeo | Jumbe", "(hakuna) | Matangazo | Zinasubiri | 2"})
		p := tbl.Plots[0]
		if len(p.X) != 5 || p.X[2].EN != "smpp\nTokens" {
			t.Errorf("bars %v; want one per route and lane", p.X)
		}
		checkSeries(t, p, map[string][]int64{
			"Queued":           {2, 0, 0, 0, 0},
			"Sent, no receipt": {0, 0, 0, 2, 0},
			"Delivered":        {0, 1, 3, 0, 0},
			"Failed":           {0, 0, 1, 0, 0},
			"Expired":          {0, 0, 0, 0, 1},
		})
	})
}
