package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/bench"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A short `mteja bench vend` on a preloaded database with the raw ceiling
// beside it, on each engine: the JSON carries the end-to-end rate, the
// backlog, the peak RSS, the preload and the ceiling, and the invariants
// held (exit 0).
func TestBenchVendPreloadCeiling(t *testing.T) {
	clearEnv(t)
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "bench", "vend", "-payments", "300", "-preload", "1000", "-meters", "50", "-concurrency", "8",
				"-ceiling", "-ceiling-for", "200ms", "-db", storetest.DSN(t, d), "-json")
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			var res bench.Result
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatalf("%v:\n%s", err, stdout)
			}
			if res.Payments != 300 || res.SMSSubmitted != 300 || res.EndToEnd <= 0 || res.Backlog != 0 || res.PeakRSS <= 0 {
				t.Errorf("result %+v", res)
			}
			if res.Preloaded == nil || res.Preloaded.Vends != 1000 || res.Ceiling == nil || res.Ceiling.DB != string(d) || res.Ceiling.Commits == 0 {
				t.Errorf("preloaded %+v, ceiling %+v", res.Preloaded, res.Ceiling)
			}
			if res.CPU == nil || res.CPU.Process <= 0 || res.CPU.Machine < 0 {
				t.Errorf("processor time %+v, want this process's time a payment", res.CPU)
			}
			// PostgreSQL's write-ahead log shows what a payment writes;
			// SQLite has no such counters.
			if d == store.Postgres && (res.WAL == nil || res.WAL.BytesPerPayment <= 0 || res.WAL.RecordsPerPayment < 1) {
				t.Errorf("write-ahead log %+v, want bytes and records a payment", res.WAL)
			}
			if d == store.SQLite && res.WAL != nil {
				t.Errorf("write-ahead log %+v on SQLite", res.WAL)
			}
			for _, key := range []string{`"end_to_end_per_second"`, `"token_backlog"`, `"peak_rss_mb"`, `"ceiling"`, `"preloaded"`, `"process_us_per_payment"`} {
				if !strings.Contains(stdout, key) {
					t.Errorf("JSON lacks %s", key)
				}
			}
		})
	}
}

// `mteja bench ceiling` prints the raw ceiling; `bench vend` prints it
// beside the run's own figures, with the end-to-end rate; bad flags are
// usage errors, never a run.
func TestBenchCeilingText(t *testing.T) {
	clearEnv(t)
	code, stdout, stderr := runCmd(t, "bench", "ceiling", "-for", "200ms")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if re := `^sqlite raw ceiling: \d+ vend-shaped writes/s, \d+ rows/s \(\d+ commits in [0-9.]+ s\)\n$`; !regexp.MustCompile(re).MatchString(stdout) {
		t.Errorf("output %q does not match %s", stdout, re)
	}
	code, stdout, stderr = runCmd(t, "bench", "vend", "-offered", "400", "-sustain", "500ms", "-meters", "20", "-ceiling", "-ceiling-for", "100ms")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, re := range []string{
		`(?m)^sqlite raw ceiling: \d+ vend-shaped writes/s \(8 rows each, 100 a commit\)$`,
		`(?m)^sqlite: \d+ payments in [0-9.]+ s: \d+ vends/s, end to end \d+ payments/s \(token SMS submitted\)$`,
		`(?m)^token messages still queued 0, peak RSS \d+ MB \(during the run \d+ MB\)$`,
		`(?m)^processor time a payment: \d+ µs in this process, \d+ µs on the whole machine$`,
	} {
		if !regexp.MustCompile(re).MatchString(stdout) {
			t.Errorf("output lacks %s:\n%s", re, stdout)
		}
	}
	for _, args := range [][]string{
		{"bench", "vend", "-sustain", "-1s"},
		{"bench", "vend", "-preload", "-5"},
		{"bench", "vend", "-offered", "-1"},
		{"bench", "vend", "-ceiling", "-ceiling-for", "0s"},
		{"bench", "ceiling", "-for", "0s"},
		{"bench", "ceiling", "-for", "soon"},
		{"bench", "vend", "-nodes", "0"},
	} {
		if code, _, _ := runCmd(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// Several nodes share a PostgreSQL; on SQLite the bench refuses before
	// it writes anything.
	if code, _, stderr := runCmd(t, "bench", "vend", "-nodes", "2"); code != 2 || !strings.Contains(stderr, "-db postgres://") {
		t.Errorf("-nodes 2 on SQLite: exit %d, %s; want 2 naming -db postgres://", code, stderr)
	}
}
