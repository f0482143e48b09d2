package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

func tariffList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("tariff list", stderr)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: %s", errUsage, tariffUsage)
	}
	db, err := f.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	ts, err := vend.ListTariffs(ctx, db.Read())
	if err != nil {
		return err
	}
	now := db.Now()
	tw := newTable(stdout)
	fmt.Fprintln(tw, "ID\tNAME\tCURRENCY\tVERSIONS\tIN FORCE\tNEXT\tMETERS\tUPDATED")
	for _, s := range ts {
		inForce, next := "-", "-"
		if v, err := s.Tariff.At(now); err == nil {
			inForce = date(v.EffectiveFrom)
		}
		for _, v := range s.Tariff.Versions {
			if v.EffectiveFrom.After(now) {
				next = date(v.EffectiveFrom)
				break
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\n", s.ID, s.Tariff.Name, s.Tariff.Currency, len(s.Tariff.Versions), inForce, next, s.Meters,
			s.UpdatedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}

func tariffShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("tariff show", stderr)
	asJSON := f.Bool("json", false, "print JSON: rates and shares as exact decimal strings, amounts in minor units")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: %s", errUsage, tariffUsage)
	}
	db, err := f.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := vend.GetTariff(ctx, db.Read(), pos[0])
	if err != nil {
		return err
	}
	view := tariffView(s, db.Now())
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(view)
	}
	printTariff(stdout, view)
	return nil
}

// The JSON of `mteja tariff show --json`. Rates, shares and energies are
// decimal strings as the tariff file writes them, never floats.
type tariffJSON struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Currency  string        `json:"currency"`
	Meters    int           `json:"meters"`
	UpdatedAt time.Time     `json:"updated_at"`
	Versions  []versionJSON `json:"versions"`
}

type versionJSON struct {
	EffectiveFrom string       `json:"effective_from"`
	State         string       `json:"state"` // past, in_force or future
	Blocks        []blockJSON  `json:"energy_blocks"`
	FixedMonthly  moneyJSON    `json:"fixed_monthly_charge"`
	Charges       []chargeJSON `json:"charges"`
	VAT           string       `json:"vat"`
	VATOnEnergy   bool         `json:"vat_on_energy"`
	VATOnFixed    bool         `json:"vat_on_fixed"`
	DebtRecovery  string       `json:"debt_recovery"`
	MinPurchase   moneyJSON    `json:"min_purchase"`
	MaxPurchase   moneyJSON    `json:"max_purchase"`
}

type blockJSON struct {
	FromKWh string `json:"from_kwh"`
	UpToKWh string `json:"up_to_kwh,omitempty"` // absent for the open-ended last block
	Rate    string `json:"rate_per_kwh"`
}

type chargeJSON struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Kind  string `json:"kind"`
	Rate  string `json:"rate_per_kwh,omitempty"`
	Share string `json:"share_of_energy,omitempty"`
	VAT   bool   `json:"vat"`
}

type moneyJSON struct {
	Minor   int64  `json:"minor"`
	Display string `json:"display"`
}

func moneyView(a money.Amount, cur string) moneyJSON {
	return moneyJSON{Minor: int64(a), Display: a.Format(cur)}
}

func tariffView(s vend.StoredTariff, now time.Time) tariffJSON {
	t := s.Tariff
	out := tariffJSON{ID: s.ID, Name: t.Name, Currency: t.Currency, Meters: s.Meters, UpdatedAt: s.UpdatedAt.UTC()}
	for i, v := range t.Versions {
		vj := versionJSON{EffectiveFrom: date(v.EffectiveFrom), State: t.State(i, now), FixedMonthly: moneyView(v.FixedMonthly, t.Currency),
			VAT: v.VAT.String(), VATOnEnergy: v.VATOnEnergy, VATOnFixed: v.VATOnFixed, DebtRecovery: v.DebtRecovery.String(),
			MinPurchase: moneyView(v.MinPurchase, t.Currency), MaxPurchase: moneyView(v.MaxPurchase, t.Currency)}
		var from int64
		for _, b := range v.Blocks {
			bj := blockJSON{FromKWh: tariff.KWhText(from), Rate: b.Rate.String()}
			if b.UpToWh != 0 {
				bj.UpToKWh, from = tariff.KWhText(b.UpToWh), b.UpToWh
			}
			vj.Blocks = append(vj.Blocks, bj)
		}
		vj.Charges = []chargeJSON{}
		for _, c := range v.Charges {
			cj := chargeJSON{Code: c.Code, Label: v.Label(c.Code).EN, Kind: c.Kind.String(), VAT: c.VAT}
			if c.Kind == tariff.LevyOfEnergy {
				cj.Share = c.Share.String()
			} else {
				cj.Rate = c.Rate.String()
			}
			vj.Charges = append(vj.Charges, cj)
		}
		out.Versions = append(out.Versions, vj)
	}
	return out
}

func printTariff(w io.Writer, t tariffJSON) {
	fmt.Fprintf(w, "tariff %s (%s), %s, %s\n", t.ID, t.Name, t.Currency, plural(t.Meters, "meter"))
	for _, v := range t.Versions {
		fmt.Fprintf(w, "\nversion from %s (%s)\n", v.EffectiveFrom, strings.ReplaceAll(v.State, "_", " "))
		tw := newTable(w)
		for _, b := range v.Blocks {
			span := "above " + b.FromKWh + " kWh"
			if b.UpToKWh != "" {
				span = b.FromKWh + "-" + b.UpToKWh + " kWh"
			}
			fmt.Fprintf(tw, "  energy %s\t%s per kWh\n", span, b.Rate)
		}
		for _, c := range v.Charges {
			figure := c.Rate + " per kWh"
			if c.Share != "" {
				figure = c.Share + " of energy"
			}
			if c.VAT {
				figure += ", VAT"
			}
			fmt.Fprintf(tw, "  %s (%s)\t%s\n", c.Label, c.Code, figure)
		}
		on := []string{}
		if v.VATOnEnergy {
			on = append(on, "energy")
		}
		if v.VATOnFixed {
			on = append(on, "fixed charge")
		}
		fmt.Fprintf(tw, "  fixed monthly charge\t%s\n", v.FixedMonthly.Display)
		fmt.Fprintf(tw, "  VAT\t%s on %s\n", v.VAT, strings.Join(append(on, "the charges marked VAT"), ", "))
		fmt.Fprintf(tw, "  debt recovery\t%s of each payment\n", v.DebtRecovery)
		fmt.Fprintf(tw, "  purchases\t%s to %s\n", v.MinPurchase.Display, v.MaxPurchase.Display)
		tw.Flush()
	}
}
