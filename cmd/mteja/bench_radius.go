package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/mteja/mteja/internal/bench"
)

// runBenchRadius: `mteja bench radius [flags]`: Access-Requests, then
// Interim-Updates, flat out, from many NAS ports at once.
func runBenchRadius(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench radius", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o bench.RadiusOptions
	asJSON := fs.Bool("json", false, "print one JSON object")
	fs.IntVar(&o.Auth, "auth", 50_000, "Access-Requests to send (-1: none)")
	fs.IntVar(&o.Acct, "acct", 50_000, "Accounting-Requests to send (-1: none)")
	fs.IntVar(&o.NAS, "nas", 8, "routers sending, each from its own loopback address")
	fs.IntVar(&o.Ports, "ports", 16, "sockets per router, each with one request outstanding (with -radclient: radclient's -p)")
	fs.IntVar(&o.Users, "users", 10_000, "subscribers the requests are spread over")
	fs.BoolVar(&o.Radclient, "radclient", false, "send with Debian's radclient (-c, -p) instead of the in-process client: rates only")
	decider := fs.String("decider", "fake", "what decides: fake (in memory: the server alone) or app (billing's, on -db)")
	db := fs.String("db", "", "with -decider app: the database `DSN` (default a fresh SQLite file; PostgreSQL gets a fresh schema, dropped after)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to `file`")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch *decider {
	case "fake":
	case "app":
		o.Decider = bench.AppDecider(*db, stderr)
	default:
		return fmt.Errorf("%w: -decider fake or app", errUsage)
	}
	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	o.Progress = stderr
	res, err := bench.Radius(ctx, o)
	if err != nil {
		return err
	}
	if *asJSON {
		printJSON(stdout, res)
	} else {
		fmt.Fprintf(stdout, "decider %s, client %s\n", res.Decider, res.Client)
		for _, p := range []struct {
			name string
			bench.RadiusPhase
		}{{"auth", res.Auth}, {"acct", res.Acct}} {
			if p.Requests == 0 {
				continue
			}
			latency := fmt.Sprintf("p50 %.1f ms, p95 %.1f ms, p99 %.1f ms", p.P50, p.P95, p.P99)
			if o.Radclient {
				latency = "latency not measured by radclient"
			}
			fmt.Fprintf(stdout, "%s: %d requests in %.1f s: %.0f/s; %s; lost %d, wrong %d\n",
				p.name, p.Requests, p.Seconds, p.PerSecond, latency, p.Lost, p.Wrong)
		}
		fmt.Fprintf(stdout, "the server counted %d Access-Accepts and %d Accounting-Responses\n", res.ServerAccepts, res.ServerAccounted)
		if len(res.Drops) > 0 {
			fmt.Fprintf(stdout, "server drops: %v\n", res.Drops)
		}
	}
	return res.Check()
}
