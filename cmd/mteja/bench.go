package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/bench"
)

// runBench runs a benchmark: `mteja bench vend|radius [flags]`.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) > 0 && args[0] == "vend":
		return runBenchVend(ctx, args, stdout, stderr)
	case len(args) > 0 && args[0] == "radius":
		return runBenchRadius(ctx, args, stdout, stderr)
	case len(args) > 0 && args[0] == "ceiling":
		return runBenchCeiling(ctx, args, stdout, stderr)
	}
	return fmt.Errorf("%w: mteja bench vend [-payments N] [-offered R] [-sustain D] [-preload N] [-ceiling] [-nodes N] [-db DSN] [-json] | bench ceiling [-for D] [-db DSN] [-json] | bench radius [-auth N] [-acct N] [-nas N] [-ports N] [-radclient] [-json]", errUsage)
}

// runBenchVend: `mteja bench vend [flags]`.
func runBenchVend(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench vend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o bench.Options
	asJSON := fs.Bool("json", false, "print one JSON object")
	fs.IntVar(&o.Payments, "payments", 10000, "payments to send")
	fs.Float64Var(&o.Rate, "rate", 0, "payments offered per second (0 = flat out)")
	fs.Float64Var(&o.Rate, "offered", 0, "payments offered per second (0 = flat out; the same as -rate)")
	fs.DurationVar(&o.Sustain, "sustain", 0, "offer payments for this long (then -payments is a cap; default offered rate × duration)")
	fs.IntVar(&o.Preload, "preload", 0, "past vends to write in bulk before the run, so it measures a grown database")
	ceiling := fs.Bool("ceiling", false, "measure the engine's raw write ceiling first and print it beside the run")
	ceilingFor := fs.Duration("ceiling-for", 5*time.Second, "how long -ceiling measures")
	fs.StringVar(&o.DB, "db", "", "database `DSN` (default: a fresh SQLite file; PostgreSQL gets a fresh schema, dropped after)")
	fs.IntVar(&o.Meters, "meters", 1000, "meters (and customers) to spread payments over")
	fs.IntVar(&o.Concurrency, "concurrency", 64, "concurrent callback senders")
	fs.IntVar(&o.Replays, "replays", 1, "deliveries of each callback (concurrent duplicates)")
	fs.IntVar(&o.Nodes, "nodes", 1, "nodes sharing the database, each a whole node in this process (PostgreSQL only)")
	fs.StringVar(&o.SMPPAddr, "smpp", "", "SMSC HOST:PORT for the token SMS (default: an in-process sink)")
	fs.StringVar(&o.SMPPSystemID, "smpp-system-id", "mteja", "SMPP system_id")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run (from the node's start, the preload left out) to `file`")
	memprofile := fs.String("memprofile", "", "write a heap profile, taken when the run's last SMS has gone, to `file`")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	if o.Sustain > 0 && !explicit["payments"] {
		o.Payments = 0 // a cap from the offered rate and the duration
	}
	if *ceiling {
		o.Ceiling = *ceilingFor
	}
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		o.MemProfile = f
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		o.CPUProfile = f
	}
	o.SMPPPassword = os.Getenv("MTEJA_SMPP_PASSWORD")
	if (o.Payments <= 0 && o.Sustain <= 0) || o.Rate < 0 || o.Replays <= 0 || o.Nodes <= 0 || o.Sustain < 0 || o.Preload < 0 || (*ceiling && *ceilingFor <= 0) {
		return fmt.Errorf("%w: -payments, -replays, -nodes and -ceiling-for must be positive, -offered, -sustain and -preload zero or more", errUsage)
	}
	if o.Nodes > 1 && !strings.HasPrefix(o.DB, "postgres") {
		return fmt.Errorf("%w: -nodes %d needs -db postgres://...: nodes share a PostgreSQL, and SQLite has one writer", errUsage, o.Nodes)
	}
	o.Progress = stderr
	o.WAL = true // on PostgreSQL; two seconds more a run
	res, err := bench.Vend(ctx, o)
	if err != nil {
		return err
	}
	if *asJSON {
		printJSON(stdout, res)
	} else {
		if res.Ceiling != nil {
			fmt.Fprintf(stdout, "%s raw ceiling: %.0f vend-shaped writes/s (%d rows each, %d a commit)\n", res.DB, res.Ceiling.VendsPerSecond, 8, 100)
		}
		if res.Preloaded != nil {
			fmt.Fprintf(stdout, "preloaded %d past vends on %d meters in %.1f s\n", res.Preloaded.Vends, res.Preloaded.Meters, res.Preloaded.Seconds)
		}
		fmt.Fprintf(stdout, "%s: %d payments in %.1f s: %.0f vends/s, end to end %.0f payments/s (token SMS submitted)\n",
			res.DB, res.Payments, res.Seconds, res.VendsPerSecond, res.EndToEnd)
		fmt.Fprintf(stdout, "callback -> token stored: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms\n", res.P50, res.P95, res.P99)
		fmt.Fprintf(stdout, "callback -> SMS submitted: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms\n", res.SMSP50, res.SMSP95, res.SMSP99)
		fmt.Fprintf(stdout, "callback acknowledged: p50 %.1f ms, p99 %.1f ms\n", res.AckP50, res.AckP99)
		fmt.Fprintf(stdout, "stored %d, vends %d, messages %d, SMS submitted %d, lost %d, doubled %d, dangling %d, ledger balanced %v, callback errors %d\n",
			res.Stored, res.Vends, res.Messages, res.SMSSubmitted, res.Lost, res.Doubled, res.Dangling, res.LedgerOK, res.Errors)
		fmt.Fprintf(stdout, "token messages still queued %d, peak RSS %.0f MB (during the run %.0f MB)\n", res.Backlog, res.PeakRSS, res.RunRSS)
		if res.CPU != nil {
			fmt.Fprintf(stdout, "processor time a payment: %.0f µs in this process, %.0f µs on the whole machine\n", res.CPU.Process, res.CPU.Machine)
		}
		if res.WAL != nil {
			fmt.Fprintf(stdout, "write-ahead log a payment: %.0f bytes, %.1f records, %.2f full pages\n",
				res.WAL.BytesPerPayment, res.WAL.RecordsPerPayment, res.WAL.FullPagesPerPayment)
		}
	}
	return res.Check()
}

// startCPUProfile writes a CPU profile to path until stop; "" profiles
// nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// printJSON prints a benchmark's result as one indented JSON object.
func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
