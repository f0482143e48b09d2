package report_test

import (
	"context"
	"testing"

	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// Every report runs on an empty database, and its empty charts are still
// well-formed charts.
func TestEveryReportOnAnEmptyDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := report.Days(eat(3, 1, 0, 0, 0), eat(3, 31, 0, 0, 0))
		for _, rep := range report.All {
			tbl, err := rep.Run(context.Background(), db.Read(), r)
			if err != nil {
				t.Fatalf("%s: %v", rep.ID, err)
			}
			if tbl.ID != rep.ID || tbl.Title != rep.Title || len(tbl.Columns) == 0 {
				t.Errorf("%s: table %q titled %q with %d columns", rep.ID, tbl.ID, tbl.Title.EN, len(tbl.Columns))
			}
			records(t, tbl, report.SW)
			checkPlots(t, tbl)
		}
	})
}
