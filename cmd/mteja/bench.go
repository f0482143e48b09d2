package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/mteja/mteja/internal/bench"
)

// runBench runs a benchmark: `mteja bench vend|radius [flags]`.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) > 0 && args[0] == "vend":
		return runBenchVend(ctx, args, stdout, stderr)
	case len(args) > 0 && args[0] == "radius":
		return runBenchRadius(ctx, args, stdout, stderr)
	}
	return fmt.Errorf("%w: mteja bench vend [-payments N] [-rate R] [-db DSN] [-json] | bench radius [-auth N] [-acct N] [-nas N] [-ports N] [-radclient] [-json]", errUsage)
}

// runBenchVend: `mteja bench vend [flags]`.
func runBenchVend(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench vend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o bench.Options
	asJSON := fs.Bool("json", false, "print one JSON object")
	fs.IntVar(&o.Payments, "payments", 10000, "payments to send")
	fs.Float64Var(&o.Rate, "rate", 0, "payments offered per second (0 = flat out)")
	fs.StringVar(&o.DB, "db", "", "database DSN (default: a fresh SQLite file)")
	fs.IntVar(&o.Meters, "meters", 1000, "meters (and customers) to spread payments over")
	fs.IntVar(&o.Concurrency, "concurrency", 64, "concurrent callback senders")
	fs.IntVar(&o.Replays, "replays", 1, "deliveries of each callback (concurrent duplicates)")
	fs.StringVar(&o.SMPPAddr, "smpp", "", "SMSC HOST:PORT for the token SMS (default: an in-process sink)")
	fs.StringVar(&o.SMPPSystemID, "smpp-system-id", "mteja", "SMPP system_id")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to `file`")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	o.SMPPPassword = os.Getenv("MTEJA_SMPP_PASSWORD")
	if o.Payments <= 0 || o.Rate < 0 || o.Replays <= 0 {
		return fmt.Errorf("%w: -payments and -replays must be positive, -rate zero or more", errUsage)
	}
	o.Progress = stderr
	res, err := bench.Vend(ctx, o)
	if err != nil {
		return err
	}
	if *asJSON {
		printJSON(stdout, res)
	} else {
		fmt.Fprintf(stdout, "%s: %d payments in %.1f s: %.0f vends/s\n", res.DB, res.Payments, res.Seconds, res.VendsPerSecond)
		fmt.Fprintf(stdout, "callback -> token stored: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms\n", res.P50, res.P95, res.P99)
		fmt.Fprintf(stdout, "callback -> SMS submitted: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms\n", res.SMSP50, res.SMSP95, res.SMSP99)
		fmt.Fprintf(stdout, "callback acknowledged: p50 %.1f ms, p99 %.1f ms\n", res.AckP50, res.AckP99)
		fmt.Fprintf(stdout, "stored %d, vends %d, messages %d, lost %d, doubled %d, ledger balanced %v, callback errors %d\n",
			res.Stored, res.Vends, res.Messages, res.Lost, res.Doubled, res.LedgerOK, res.Errors)
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
