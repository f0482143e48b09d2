package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/store/storetest"

	"github.com/mteja/mteja/internal/bench"
)

// A short run of `mteja bench radius` with the in-memory Decider: every
// request answered, the rates and percentiles printed as for bench vend.
func TestBenchRadius(t *testing.T) {
	clearEnv(t)
	code, stdout, stderr := runCmd(t, "bench", "radius", "-auth", "2000", "-acct", "2000", "-nas", "3", "-ports", "4")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, re := range []string{
		`decider fake \(in memory\)`,
		`(?m)^auth: 2000 requests in [0-9.]+ s: \d+/s; p50 [0-9.]+ ms, p95 [0-9.]+ ms, p99 [0-9.]+ ms; lost 0, wrong 0$`,
		`(?m)^acct: 2000 requests in [0-9.]+ s: \d+/s; p50 [0-9.]+ ms, p95 [0-9.]+ ms, p99 [0-9.]+ ms; lost 0, wrong 0$`,
		`the server counted 2000 Access-Accepts and 2000 Accounting-Responses`,
	} {
		if !regexp.MustCompile(re).MatchString(stdout) {
			t.Errorf("output lacks %s:\n%s", re, stdout)
		}
	}
}

func TestBenchRadiusJSONWithRadclient(t *testing.T) {
	if _, err := exec.LookPath("radclient"); err != nil {
		t.Skip("SKIPPED: radclient not installed (Debian freeradius-utils; scripts/test installs it)")
	}
	clearEnv(t)
	code, stdout, stderr := runCmd(t, "bench", "radius", "-radclient", "-auth", "2000", "-acct", "500", "-json")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var res bench.RadiusResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if res.Client != "radclient" || res.Auth.Answered != 2000 || res.Acct.Answered != 500 || res.ServerAccepts != 2000 || res.ServerAccounted != 500 {
		t.Errorf("result %+v", res)
	}
}

// `-decider app` measures billing's own Decider on a whole node: every
// bench subscriber paid through intake, each Access-Request accepted from
// the database, each Interim-Update written to it; on both engines.
func TestBenchRadiusAppDecider(t *testing.T) {
	clearEnv(t)
	dsns := map[string]string{"sqlite": ""}
	if pg := os.Getenv(storetest.EnvPostgres); pg != "" {
		dsns["postgres"] = pg
	} else {
		t.Logf("SKIPPED on PostgreSQL: set %s to run", storetest.EnvPostgres)
	}
	for engine, dsn := range dsns {
		t.Run(engine, func(t *testing.T) {
			args := []string{"bench", "radius", "-decider", "app", "-users", "300", "-auth", "1500", "-acct", "1500", "-nas", "2", "-ports", "4", "-json"}
			if dsn != "" {
				args = append(args, "-db", dsn)
			}
			code, stdout, stderr := runCmd(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			var res bench.RadiusResult
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatalf("%v:\n%s", err, stdout)
			}
			if want := "billing (package isp) on " + engine; res.Decider != want {
				t.Errorf("decider %q, want %q", res.Decider, want)
			}
			if res.ServerAccepts != 1500 || res.ServerAccounted != 1500 || res.Auth.Wrong+res.Acct.Wrong+res.Auth.Lost+res.Acct.Lost != 0 {
				t.Errorf("result %+v", res)
			}
			if !strings.Contains(stderr, "stored 2 routers and 300 paid subscribers on "+engine) {
				t.Errorf("stderr lacks the set-up line:\n%s", stderr)
			}
		})
	}
	if code, _, _ := runCmd(t, "bench", "radius", "-decider", "other"); code != 2 {
		t.Errorf("-decider other: exit %d, want 2", code)
	}
}
