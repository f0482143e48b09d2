package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

const tariffUsage = `mteja tariff import FILE.yaml [--id ID] [--dry-run] [--amounts 100,500,1000,5000] | list | show ID [--json] | quote ID AMOUNT [--meter DRN] [--at DATE]  (each with [-db DSN])`

// runTariff manages tariffs: import a file (a new tariff, or new dated
// versions of one), list them, show one, and quote a payment.
func runTariff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, tariffUsage)
	}
	switch args[0] {
	case "import":
		return tariffImport(ctx, args[1:], stdout, stderr)
	case "list":
		return tariffList(ctx, args[1:], stdout, stderr)
	case "show":
		return tariffShow(ctx, args[1:], stdout, stderr)
	case "quote":
		return tariffQuote(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("%w: %s", errUsage, tariffUsage)
}

func tariffImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("tariff import", stderr)
	id := f.String("id", "", "the tariff's `ID`, which meters name (default: the file's name)")
	dryRun := f.Bool("dry-run", false, "check the file and show what would change, with a preview of the new figures; store nothing")
	amounts := f.String("amounts", "100,500,1000,5000", "payments the dry run's preview prices, in the currency, comma-separated")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: %s", errUsage, tariffUsage)
	}
	var sample []money.Amount
	for _, s := range list(*amounts) {
		a, err := money.Parse(s)
		if err != nil || a <= 0 {
			return fmt.Errorf("%w: --amounts: %q is not an amount above zero", errUsage, s)
		}
		sample = append(sample, a)
	}
	src, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	if *id == "" {
		// The file's name names the tariff unless --id says otherwise; a
		// file that does not parse is reported whole by the import below.
		if t, err := tariff.Parse(src); err == nil {
			*id = t.Name
		}
	}
	db, err := f.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	imp, err := vend.ImportTariff(ctx, db, *id, src, cliActor(), *dryRun)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	printChange(stdout, imp, db.Now())
	switch {
	case *dryRun:
		printPreview(stdout, imp, sample)
		fmt.Fprintln(stdout, "dry run: nothing stored")
	case imp.Stored:
		fmt.Fprintf(stdout, "stored tariff %s\n", imp.ID)
	default:
		fmt.Fprintf(stdout, "tariff %s is stored as the file has it already: nothing to change\n", imp.ID)
	}
	return nil
}

// printChange lists what the import does to each version.
func printChange(w io.Writer, imp vend.TariffImport, now time.Time) {
	c := imp.Change
	if c.New {
		fmt.Fprintf(w, "tariff %s (%s, %s): new, %s\n", imp.ID, imp.Tariff.Name, imp.Tariff.Currency, plural(len(imp.Tariff.Versions), "version"))
	} else {
		fmt.Fprintf(w, "tariff %s (%s, %s): %s\n", imp.ID, imp.Tariff.Name, imp.Tariff.Currency, vend.ChangeSummary(c))
	}
	for i, vc := range c.Versions(imp.Tariff) {
		fmt.Fprintf(w, "  version from %s: %s, %s\n", date(vc.Version.EffectiveFrom), vc.What, versionState(imp.Tariff, i, now))
		for _, d := range vc.Diff {
			fmt.Fprintf(w, "    %s\n", d)
		}
	}
	for _, v := range c.Removed {
		fmt.Fprintf(w, "  version from %s: removed (it had not started)\n", date(v.EffectiveFrom))
	}
}

// versionState says whether the i-th version is past, in force or to come.
func versionState(t tariff.Tariff, i int, now time.Time) string {
	switch t.State(i, now) {
	case tariff.StateFuture:
		return "from " + date(t.Versions[i].EffectiveFrom)
	case tariff.StatePast:
		return "past"
	}
	return "in force"
}

// plural says "1 version", "2 versions".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func date(t time.Time) string { return t.In(tariff.Zone).Format("2006-01-02") }

// printPreview shows what sample payments buy under the version in force
// and under each new or changed version, line by line.
func printPreview(w io.Writer, imp vend.TariffImport, amounts []money.Amount) {
	c := imp.Change
	cur := imp.Tariff.Currency
	for _, v := range c.Upcoming() {
		fmt.Fprintf(w, "\npreview of the version from %s", date(v.EffectiveFrom))
		if c.InForce != nil {
			fmt.Fprintf(w, " against the version in force (from %s)", date(c.InForce.EffectiveFrom))
		}
		fmt.Fprintf(w, ", for a meter with no debt, in %s:\n", cur)
		for _, row := range tariff.Preview(c.InForce, v, amounts, tariff.PreviewMonthWh) {
			month := "the month's first purchase"
			if row.MonthWh > 0 {
				month = tariff.KWhText(row.MonthWh) + " kWh bought this month"
			}
			fmt.Fprintf(w, "  %s, %s\n", row.Paid.Format(cur), month)
			tw := newTable(w)
			if c.InForce != nil {
				fmt.Fprintf(tw, "    \tin force (%s)\tnew (%s)\n", date(c.InForce.EffectiveFrom), date(v.EffectiveFrom))
				fmt.Fprintf(tw, "    units (kWh)\t%s\t%s\n", units(row.Before), units(row.After))
				for _, l := range row.Lines() {
					fmt.Fprintf(tw, "    %s\t%s\t%s\n", l.Label, lineAmount(row.Before, l.Before), lineAmount(row.After, l.After))
				}
			} else {
				fmt.Fprintf(tw, "    units (kWh)\t%s\n", units(row.After))
				for _, l := range row.Lines() {
					fmt.Fprintf(tw, "    %s\t%s\n", l.Label, lineAmount(row.After, l.After))
				}
			}
			tw.Flush()
		}
	}
}

func units(p tariff.Priced) string {
	if p.Quote == nil {
		return refusal(p.Err)
	}
	return p.Quote.Units
}

func lineAmount(p tariff.Priced, a money.Amount) string {
	if p.Quote == nil {
		return "-"
	}
	return a.String()
}

// refusal words why a sample payment buys nothing under a version.
func refusal(err error) string {
	switch {
	case errors.Is(err, tariff.ErrBelowMinimum):
		return "below the minimum"
	case errors.Is(err, tariff.ErrAboveMaximum):
		return "above the maximum"
	case err != nil:
		return strings.SplitN(err.Error(), ":", 2)[0]
	}
	return "-"
}
