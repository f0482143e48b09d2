package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/reconcile"
)

// reconcileUsage is the usage of `mteja reconcile`.
const reconcileUsage = `mteja reconcile statement FILE.csv | pull [register NOMINATED_NUMBER CALLBACK_URL] | exceptions [open|auto|resolved] | close YYYY-MM-DD [-db DSN]`

// runReconcile holds Mteja's payments to M-Pesa's own records: an
// organisation statement, the Pull API, the exceptions found, a day's
// close. Payments it records are vended by the server's vend worker.
func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	positional := func(n int) bool { return len(args) > n && !strings.HasPrefix(args[n], "-") }
	switch {
	case positional(1) && args[0] == "statement":
		return reconcileStatement(ctx, args[1], args[2:], stdout, stderr)
	case positional(3) && args[0] == "pull" && args[1] == "register":
		return reconcileRegister(ctx, args[2], args[3], args[4:], stdout, stderr)
	case positional(0) && args[0] == "pull" && !positional(1):
		return reconcilePull(ctx, args[1:], stdout, stderr)
	case positional(0) && args[0] == "exceptions":
		state, flags := "", args[1:]
		if positional(1) {
			state, flags = args[1], args[2:]
		}
		return reconcileExceptions(ctx, state, flags, stdout, stderr)
	case positional(1) && args[0] == "close":
		return reconcileClose(ctx, args[1], args[2:], stdout, stderr)
	}
	return fmt.Errorf("%w: %s", errUsage, reconcileUsage)
}

func reconcileStatement(ctx context.Context, file string, flags []string, stdout, stderr io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openDB(ctx, "reconcile", flags, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := reconcile.Import(ctx, db, file, f, cliActor())
	var se *reconcile.StatementError
	if errors.As(err, &se) || errors.Is(err, reconcile.ErrLayout) {
		return fmt.Errorf("%s: %w", file, err)
	}
	if err != nil {
		return err
	}
	if res.Already {
		fmt.Fprintf(stdout, "%s was imported before (statement %s): nothing added\n", file, res.StatementID)
		return nil
	}
	fmt.Fprintf(stdout, "statement %s: %s\n", res.StatementID, res.Outcome)
	return printOutcome(stdout, res.Outcome)
}

// printOutcome lists the exceptions and corrections of an import or pull.
func printOutcome(w io.Writer, o reconcile.Outcome) error {
	if len(o.Exceptions) > 0 {
		if err := printExceptions(w, o.Exceptions); err != nil {
			return err
		}
	}
	for _, c := range o.Corrections {
		fmt.Fprintf(w, "\n%s is closed: correction %d made\n", c.Day, c.Seq)
		if err := printLines(w, c.Lines); err != nil {
			return err
		}
	}
	return nil
}

func reconcilePull(ctx context.Context, flags []string, stdout, stderr io.Writer) error {
	cfg, client, err := darajaClient("reconcile", flags, stderr)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, "reconcile", flags, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	p := &reconcile.Puller{DB: db, Client: client, ShortCode: cfg.DarajaShortCode()}
	res, err := p.Pull(ctx)
	if err != nil {
		return err
	}
	eat := func(t time.Time) string { return t.In(mpesa.EAT).Format(time.DateTime) }
	fmt.Fprintf(stdout, "pulled %s to %s (EAT): %s\n", eat(res.From), eat(res.To), res.Outcome)
	if res.Gap > 0 {
		fmt.Fprintf(stdout, "M-Pesa no longer holds %s to %s (EAT), since the last pull: import a statement for it\n", eat(res.From.Add(-res.Gap)), eat(res.From))
	}
	return printOutcome(stdout, res.Outcome)
}

func reconcileRegister(ctx context.Context, nominated, callback string, flags []string, stdout, stderr io.Writer) error {
	_, client, err := darajaClient("reconcile", flags, stderr)
	if err != nil {
		return err
	}
	r, err := client.RegisterPull(ctx, nominated, callback)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "registered short code %s for the Pull API: %s\n", client.ShortCode, r.ResponseDescription)
	return nil
}

// darajaClient builds the Daraja client the configuration names.
func darajaClient(name string, flags []string, stderr io.Writer) (config.Config, *mpesa.Client, error) {
	cfg, err := parseConfig(name, flags, stderr)
	if err != nil {
		return cfg, nil, err
	}
	if cfg.DarajaURL == "" || cfg.DarajaKey == "" || cfg.DarajaConsumerSecret == "" {
		return cfg, nil, errors.New("no Daraja client: set MTEJA_DARAJA_URL, MTEJA_DARAJA_CONSUMER_KEY and MTEJA_DARAJA_CONSUMER_SECRET")
	}
	return cfg, &mpesa.Client{BaseURL: cfg.DarajaURL, ConsumerKey: cfg.DarajaKey, ConsumerSecret: cfg.DarajaConsumerSecret, ShortCode: cfg.DarajaShortCode()}, nil
}

func reconcileExceptions(ctx context.Context, state string, flags []string, stdout, stderr io.Writer) error {
	switch state {
	case "", reconcile.Open, reconcile.Auto, reconcile.Resolved:
	default:
		return fmt.Errorf("%w: state %q: want open, auto or resolved", errUsage, state)
	}
	db, err := openDB(ctx, "reconcile", flags, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	es, err := reconcile.Exceptions(ctx, db.Read(), reconcile.Filter{State: state, Limit: 1000})
	if err != nil {
		return err
	}
	return printExceptions(stdout, es)
}

func printExceptions(w io.Writer, es []reconcile.Exception) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDAY\tRECEIPT\tKIND\tM-PESA\tMTEJA\tSTATE\tACTION\tDETAIL")
	for _, e := range es {
		action := e.Action
		if e.State == reconcile.Open {
			action = "may: " + strings.Join(e.Actions(), ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.Day, e.Receipt, e.Kind, orDash(e.MpesaAmount), orDash(e.MtejaAmount), e.State, action, e.Detail)
	}
	return tw.Flush()
}

func orDash(a *money.Amount) string {
	if a == nil {
		return "-"
	}
	return a.String()
}

func reconcileClose(ctx context.Context, day string, flags []string, stdout, stderr io.Writer) error {
	db, err := openDB(ctx, "reconcile", flags, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	e, err := reconcile.Close(ctx, db, day, cliActor())
	if err != nil {
		return err
	}
	what := "closed"
	if e.Kind == reconcile.EntryCorrection {
		what = fmt.Sprintf("was closed already: correction %d made", e.Seq)
	}
	fmt.Fprintf(stdout, "%s %s\n", e.Day, what)
	return printLines(stdout, e.Lines)
}

func printLines(w io.Writer, ls []reconcile.Line) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tCOUNT\tAMOUNT\t")
	for _, l := range ls {
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", l.Name, l.Count, l.Amount)
	}
	return tw.Flush()
}
