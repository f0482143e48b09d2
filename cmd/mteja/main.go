// Command mteja is the whole product in one binary: the server, the demo, the
// STS token tool, migrations, imports and benchmarks, as subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand. run gets the arguments after the subcommand name.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"token":     {"make, decode and check STS prepayment tokens (IEC 62055-41)", runToken},
		"serve":     {"run the server and workers (SQLite by default, or -db postgres://...)", runServe},
		"demo":      {"run a complete demo utility on a fresh SQLite database, with simulators", runDemo},
		"migrate":   {"bring the database schema up to date", runMigrate},
		"apikey":    {"create, list and revoke API keys: apikey create NAME ROLE | list | revoke ID_OR_NAME", runAPIKey},
		"import":    {"import meters and customers from CSV: import meters FILE", runImport},
		"meter":     {"register, edit, deactivate, reactivate, move, key change and swap meters: meter register DRN ...", runMeter},
		"tariff":    {"import a tariff or its new versions, list, show and quote: tariff import FILE | list | show ID | quote ID AMOUNT", runTariff},
		"bench":     {"measure vends/s and latency end to end (bench vend), or the RADIUS server (bench radius)", runBench},
		"ussd-sim":  {"dial the USSD menus by hand from a terminal", runUSSDSim},
		"agent":     {"agent outlets and their users: agent outlet CODE NAME | user CODE PHONE NAME | pin PHONE | list", runAgent},
		"user":      {"staff accounts for the console: user add USERNAME ROLE prints a one-time set-up link", runUser},
		"sim":       {"M-Pesa's side where Safaricom cannot be reached: sim daraja runs the simulator, sim pay makes a Paybill payment", runSim},
		"callbacks": {"print the callback URLs (with their secrets) to configure with M-Pesa and the gateways", runCallbacks},
		"reconcile": {"hold payments to M-Pesa's records: reconcile statement FILE | pull | exceptions | close DAY", runReconcile},
	}
}

// errUsage marks an error in the command line: exit status 2, not 1.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "mteja: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	if err := c.run(ctx, args[1:], stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "mteja %s: %v\n", args[0], err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "Mteja: prepaid vending, billing and customer care for utilities and ISPs.")
	fmt.Fprintln(w, "\nUsage: mteja COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'mteja COMMAND -h' for a command's flags.")
}
