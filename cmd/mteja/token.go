package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/mteja/mteja/internal/sts"
)

// vendingKeyEnv names the environment variable that may hold the vending key
// in hex. Keys never come from a flag: flags show in `ps` and shell history.
const vendingKeyEnv = "MTEJA_VENDING_KEY"

type tokenCommand struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func tokenCommands() map[string]tokenCommand {
	return map[string]tokenCommand{
		"credit":       {"make a credit token (electricity, water, gas, time)", tokenCredit},
		"mpl":          {"make a set maximum power limit token", tokenMPL},
		"clear-credit": {"make a clear credit token", tokenClearCredit},
		"clear-tamper": {"make a clear tamper token", tokenClearTamper},
		"mppul":        {"make a set maximum phase power unbalance limit token", tokenMPPUL},
		"key-change":   {"make the two key change tokens", tokenKeyChange},
		"test":         {"make a meter test token (not meter-specific)", tokenTest},
		"decode":       {"read a token as the meter would: is it valid, what does it carry", tokenDecode},
		"decoder-key":  {"derive a meter's decoder key from the vending key", tokenDecoderKey},
	}
}

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmds := tokenCommands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, "Usage: mteja token SUBCOMMAND [flags]\n\nSubcommands:")
		names := make([]string, 0, len(cmds))
		for n := range cmds {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(stderr, "  %-13s %s\n", n, cmds[n].summary)
		}
		fmt.Fprintf(stderr, "\nKeys: --decoder-key HEX, or a vending key from --vending-key-file FILE or $%s\nwith the meter's parameters. Run 'mteja token SUBCOMMAND -h' for its flags.\n", vendingKeyEnv)
		if len(args) == 0 {
			return fmt.Errorf("%w: missing subcommand", errUsage)
		}
		return flag.ErrHelp
	}
	c, ok := cmds[args[0]]
	if !ok {
		return fmt.Errorf("%w: unknown subcommand %q (run 'mteja token -h')", errUsage, args[0])
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

func tokenUsage(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, a...)...)
}

func tokenFlagSet(name, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("mteja token "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: mteja token %s\n\n", about)
		fs.PrintDefaults()
	}
	return fs
}

// tokenParseFlags parses args and returns the positional arguments, which may sit
// between flags ("decode TOKEN --decoder-key K").
func tokenParseFlags(fs *flag.FlagSet, args []string, maxPositional int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, tokenUsage("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) > maxPositional {
		return nil, tokenUsage("unexpected argument %q", pos[maxPositional])
	}
	return pos, nil
}

func tokenFlagIsSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

type tokenIntFlag struct {
	name     string
	v        int
	min, max int
	required bool
}

func (c tokenIntFlag) check() error {
	if c.v < c.min || c.v > c.max {
		return tokenUsage("--%s %d: want %d-%d", c.name, c.v, c.min, c.max)
	}
	return nil
}

// tokenIssueFlags pin what is otherwise taken from the clock and the dice.
type tokenIssueFlags struct {
	fs       *flag.FlagSet
	at       string
	tid, rnd int64
	json     bool
}

func addTokenIssueFlags(fs *flag.FlagSet) *tokenIssueFlags {
	f := &tokenIssueFlags{fs: fs}
	fs.StringVar(&f.at, "at", "", "issue time, 2004-03-01T13:55 (UTC unless an offset is given; default now)")
	fs.Int64Var(&f.tid, "tid", 0, "token identifier, minutes since the base date (instead of --at)")
	fs.Int64Var(&f.rnd, "rnd", 0, "random number 0-15 (default random)")
	fs.BoolVar(&f.json, "json", false, "print JSON")
	return f
}

func (f *tokenIssueFlags) tidAndRND(base sts.BaseDate) (sts.TID, uint8, error) {
	if f.rnd < 0 || f.rnd > 15 {
		return 0, 0, tokenUsage("--rnd %d: want 0-15", f.rnd)
	}
	rnd := uint8(rand.IntN(16))
	if tokenFlagIsSet(f.fs, "rnd") {
		rnd = uint8(f.rnd)
	}
	if tokenFlagIsSet(f.fs, "tid") {
		if f.at != "" {
			return 0, 0, tokenUsage("--at and --tid are exclusive")
		}
		if f.tid < 0 || f.tid > int64(sts.MaxTID) {
			return 0, 0, tokenUsage("--tid %d: want 0-%d", f.tid, sts.MaxTID)
		}
		return sts.TID(f.tid), rnd, nil
	}
	at := time.Now()
	if f.at != "" {
		var err error
		if at, err = tokenParseAt(f.at); err != nil {
			return 0, 0, err
		}
	}
	tid, err := base.TID(at)
	if err != nil {
		return 0, 0, tokenUsage("--at: %v", err)
	}
	return tid, rnd, nil
}

func tokenParseAt(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, tokenUsage("--at %q: want a time like 2004-03-01T13:55 (UTC) or 2004-03-01T16:55+03:00", s)
}
