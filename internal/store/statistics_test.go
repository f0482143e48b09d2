package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A table that grew past the threshold since its last ANALYZE is analysed,
// and then is not stale any more; one that did not change is left alone.
func TestAnalyzeStaleTables(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if db.Dialect != store.Postgres {
			if stale, err := db.Analyze(ctx); err != nil || stale != nil {
				t.Fatalf("Analyze on SQLite = %v, %v; want nothing", stale, err)
			}
			return
		}
		for _, q := range []string{`CREATE TABLE grown (id BIGINT PRIMARY KEY)`, `CREATE TABLE still (id BIGINT PRIMARY KEY)`,
			`INSERT INTO still SELECT g FROM generate_series(1, 10) g`, `ANALYZE still`,
			`INSERT INTO grown SELECT g FROM generate_series(1, 5000) g`} {
			if _, err := db.Write().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		// A session reports its modifications to the statistics a moment
		// after its transaction ends (at most a second or so later).
		var stale []string
		for range 200 {
			var err error
			if stale, err = db.Analyze(ctx); err != nil {
				t.Fatal(err)
			}
			if slices.Contains(stale, "grown") {
				break
			}
			time.Sleep(25 * time.Millisecond)
		}
		if !slices.Contains(stale, "grown") || slices.Contains(stale, "still") {
			t.Fatalf("stale tables analysed = %v; want grown, not still", stale)
		}
		var live float64
		if err := db.Read().QueryRowContext(ctx, `SELECT reltuples FROM pg_class WHERE relname = 'grown' AND relnamespace = current_schema()::regnamespace`).Scan(&live); err != nil {
			t.Fatal(err)
		}
		if live != 5000 {
			t.Errorf("grown's row estimate after Analyze = %v, want 5000", live)
		}
		again, err := db.Analyze(ctx)
		if err != nil || slices.Contains(again, "grown") {
			t.Errorf("second Analyze = %v, %v; want grown fresh", again, err)
		}
	})
}

// A table of 10,000 rows or more is analysed at most once a minute, as
// autovacuum would (it is stale again within seconds at a peak, and each
// ANALYZE samples thousands of rows), unless it has more than doubled.
func TestAnalyzeLargeTableOnceAMinute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if db.Dialect != store.Postgres {
			t.Skip("SQLite keeps no statistics")
		}
		exec := func(q string) {
			t.Helper()
			if _, err := db.Write().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		// A session reports its inserts a moment after they commit: wait
		// until the statistics show them.
		shown := func(rows int) {
			t.Helper()
			for i := 0; ; i++ {
				var live int
				if err := db.Read().QueryRowContext(ctx, `SELECT n_ins_since_vacuum FROM pg_stat_user_tables
					WHERE relname = 'big' AND schemaname = current_schema()`).Scan(&live); err != nil {
					t.Fatal(err)
				}
				if live >= rows {
					return
				}
				if i == 200 {
					t.Fatalf("the statistics show %d rows inserted, never %d", live, rows)
				}
				time.Sleep(25 * time.Millisecond)
			}
		}
		exec(`CREATE TABLE big (id BIGINT PRIMARY KEY)`)
		exec(`INSERT INTO big SELECT g FROM generate_series(1, 20000) g`)
		shown(20000)
		exec(`ANALYZE big`)
		exec(`INSERT INTO big SELECT g FROM generate_series(20001, 25000) g`)
		shown(25000) // past autovacuum's threshold: 5,000 > 50 + 2,500
		stale, err := db.Analyze(ctx)
		if err != nil || slices.Contains(stale, "big") {
			t.Fatalf("Analyze within a minute of the last = %v, %v; want big left alone", stale, err)
		}
		// More than doubled since: a growing table's plans need it now.
		exec(`INSERT INTO big SELECT g FROM generate_series(25001, 50000) g`)
		for i := 0; !slices.Contains(stale, "big"); i++ {
			if i == 200 {
				t.Fatalf("Analyze after big doubled = %v; want big", stale)
			}
			time.Sleep(25 * time.Millisecond)
			if stale, err = db.Analyze(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// A table with many dead rows and autovacuum off is vacuumed, once; on
// SQLite there is nothing to do.
func TestVacuumWhereAutovacuumIsOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if db.Dialect != store.Postgres {
			if done, err := db.Vacuum(ctx); err != nil || done != nil {
				t.Fatalf("Vacuum on SQLite = %v, %v; want nothing", done, err)
			}
			return
		}
		for _, q := range []string{`CREATE TABLE churned (id BIGINT PRIMARY KEY) WITH (autovacuum_enabled = false)`,
			`INSERT INTO churned SELECT g FROM generate_series(1, 5000) g`, `DELETE FROM churned WHERE id > 1000`} {
			if _, err := db.Write().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		var done []string
		for range 200 {
			var err error
			if done, err = db.Vacuum(ctx); err != nil {
				t.Fatal(err)
			}
			if slices.Contains(done, "churned") {
				break
			}
			time.Sleep(25 * time.Millisecond)
		}
		if !slices.Contains(done, "churned") {
			t.Fatalf("vacuumed %v; want churned", done)
		}
		var dead int64
		if err := db.Read().QueryRowContext(ctx, `SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'churned' AND schemaname = current_schema()`).Scan(&dead); err != nil {
			t.Fatal(err)
		}
		if dead != 0 {
			t.Errorf("dead rows after Vacuum = %d, want 0", dead)
		}
		again, err := db.Vacuum(ctx)
		if err != nil || slices.Contains(again, "churned") {
			t.Errorf("second Vacuum = %v, %v; want churned left alone", again, err)
		}
	})
}

// A table whose lock a VACUUM holds (ANALYZE needs the same one) is left
// for the next look rather than waited for: the wait held a connection
// and every other table's statistics behind it.
func TestAnalyzeDoesNotWaitBehindVacuum(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if db.Dialect != store.Postgres {
			t.Skip("SQLite keeps no statistics")
		}
		for _, q := range []string{`CREATE TABLE held (id BIGINT PRIMARY KEY)`, `CREATE TABLE free (id BIGINT PRIMARY KEY)`,
			`INSERT INTO held SELECT g FROM generate_series(1, 5000) g`, `INSERT INTO free SELECT g FROM generate_series(1, 5000) g`} {
			if _, err := db.Write().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		// Wait until the statistics show both tables' inserts.
		for i := 0; ; i++ {
			var shown int
			if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_user_tables
				WHERE relname IN ('held', 'free') AND schemaname = current_schema() AND n_mod_since_analyze >= 5000`).Scan(&shown); err != nil {
				t.Fatal(err)
			}
			if shown == 2 {
				break
			}
			if i == 200 {
				t.Fatal("the statistics never showed the inserts")
			}
			time.Sleep(25 * time.Millisecond)
		}
		vacuum, err := db.Write().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer vacuum.Rollback()
		if _, err := vacuum.ExecContext(ctx, `LOCK TABLE held IN SHARE UPDATE EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		type analysed struct {
			done []string
			err  error
		}
		ch := make(chan analysed, 1)
		go func() {
			done, err := db.Analyze(ctx)
			ch <- analysed{done, err}
		}()
		var done []string
		select {
		case r := <-ch:
			done, err = r.done, r.err
		case <-time.After(30 * time.Second):
			vacuum.Rollback()
			<-ch
			t.Fatal("Analyze waited 30 s behind the lock a VACUUM holds")
		}
		if err != nil {
			t.Fatalf("Analyze with held locked = %v, %v; want it to go on without held", done, err)
		}
		if slices.Contains(done, "held") || !slices.Contains(done, "free") {
			t.Fatalf("analysed %v; want free, not held", done)
		}
		vacuum.Rollback()
		if done, err := db.Analyze(ctx); err != nil || !slices.Contains(done, "held") {
			t.Fatalf("Analyze once the lock is free = %v, %v; want held", done, err)
		}
	})
}
