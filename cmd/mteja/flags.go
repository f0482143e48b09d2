package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mteja/mteja/internal/store"
)

// cmdFlags are a subcommand's own flags, plus -db and -data, with which it
// opens the database as every command does.
type cmdFlags struct {
	*flag.FlagSet
	name     string
	db, data string
	set      map[string]bool // the flags given on the command line
}

func newFlags(name string, stderr io.Writer) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &cmdFlags{FlagSet: fs, name: name}
	fs.StringVar(&f.db, "db", "", "database: a SQLite file path or a postgres:// `DSN` (MTEJA_DB; default DATA/mteja.db)")
	fs.StringVar(&f.data, "data", "", "data directory (MTEJA_DATA)")
	return f
}

// parse reads args, flags and arguments in any order ("tariff show ID
// -db x"), and returns the arguments. A mistake is a usage error.
func (f *cmdFlags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = f.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	f.set = map[string]bool{}
	f.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return pos, nil
}

// open opens and migrates the database the flags (or the environment) name.
func (f *cmdFlags) open(ctx context.Context, stderr io.Writer) (*store.DB, error) {
	var args []string
	if f.db != "" {
		args = append(args, "-db", f.db)
	}
	if f.data != "" {
		args = append(args, "-data", f.data)
	}
	return openDB(ctx, f.name, args, stderr)
}

// intFlag returns a pointer to the value of an int flag if it was given.
func (f *cmdFlags) intFlag(name string, v *int) *int {
	if f.set[name] {
		return v
	}
	return nil
}

// stringFlag returns a pointer to the value of a string flag if it was given.
func (f *cmdFlags) stringFlag(name string, v *string) *string {
	if f.set[name] {
		return v
	}
	return nil
}

// list splits a flag's comma- or semicolon-separated values.
func list(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' })
}
