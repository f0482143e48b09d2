package bench

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// TestCeiling measures the raw write ceiling briefly on each engine: every
// group commit lands whole (Ceiling counts the stored rows against its
// own), and the scratch file or schema is gone after.
func TestCeiling(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dsn := storetest.DSN(t, d)
			res, err := Ceiling(context.Background(), dsn, 300*time.Millisecond)
			if err != nil {
				t.Fatalf("ceiling: %v", err)
			}
			t.Logf("%s raw ceiling: %.0f vend-shaped writes/s", d, res.VendsPerSecond)
			if res.Commits == 0 || res.Vends != res.Commits*ceilingGroup || res.Rows != res.Vends*ceilingRows || res.DB != string(d) {
				t.Errorf("ceiling %+v", res)
			}
			if d == store.SQLite {
				left, _ := filepath.Glob(filepath.Join(filepath.Dir(dsn), "*"))
				if len(left) != 0 {
					t.Errorf("scratch files left: %v", left)
				}
				return
			}
			db := storetest.OpenDSN(t, dsn)
			var schemas int
			if err := db.Read().QueryRow(`SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'bench_ceiling_%'`).Scan(&schemas); err != nil {
				t.Fatal(err)
			}
			if schemas != 0 {
				t.Errorf("%d scratch schemas left", schemas)
			}
		})
	}
	if _, err := Ceiling(context.Background(), filepath.Join(t.TempDir(), "x.db"), 0); err == nil {
		t.Error("a ceiling of no duration measured")
	}
}
