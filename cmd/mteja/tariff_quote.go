package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// tariffQuote prints the itemised receipt a payment would get: for a meter
// with no debt on its first purchase of the month, or, with --meter, for
// that meter as it stands (its energy this month and its debt).
func tariffQuote(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("tariff quote", stderr)
	drn := f.String("meter", "", "quote for this meter: its energy bought this month and its debt")
	atText := f.String("at", "", "price as on this `DATE` (2006-01-02, from midnight EAT) or time (RFC 3339); default now")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: %s", errUsage, tariffUsage)
	}
	paid, err := money.Parse(pos[1])
	if err != nil || paid <= 0 {
		return fmt.Errorf("%w: amount %q: want an amount above zero, like 500 or 1,500.00", errUsage, pos[1])
	}
	db, err := f.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	at := db.Now()
	if *atText != "" {
		if at, err = parseAt(*atText); err != nil {
			return fmt.Errorf("%w: --at: %v", errUsage, err)
		}
	}
	s, err := vend.GetTariff(ctx, db.Read(), pos[0])
	if err != nil {
		return err
	}
	var m *customer.Meter
	if *drn != "" {
		got, err := customer.GetMeter(ctx, db.Read(), customer.NormalizeNumber(*drn))
		if err != nil {
			return err
		}
		m = &got
	}
	q, v, err := vend.Quote(s.Tariff, paid, m, at)
	if err != nil {
		return fmt.Errorf("tariff %s: %w", s.ID, err)
	}
	cur := s.Tariff.Currency
	fmt.Fprintf(stdout, "tariff %s, version from %s, at %s\n", s.ID, date(v.EffectiveFrom), at.In(tariff.Zone).Format("2006-01-02 15:04 MST"))
	if m != nil {
		in := vend.PriceInput(*m, paid, at)
		fmt.Fprintf(stdout, "meter %s: %s kWh bought this month, debt %s", m.DRN, tariff.KWhText(in.MonthEnergy), m.Debt.Format(cur))
		if m.TariffID != s.ID {
			fmt.Fprintf(stdout, " (its own tariff is %s)", m.TariffID)
		}
		fmt.Fprintln(stdout)
	}
	tw := newTable(stdout)
	fmt.Fprintf(tw, "paid\t%s\n", paid.Format(cur))
	for _, l := range q.Lines {
		fmt.Fprintf(tw, "  %s\t%s\n", l.Label, l.Amount)
	}
	fmt.Fprintf(tw, "units\t%s kWh (the token carries %s kWh)\n", q.Units, tariff.KWhText(q.TokenTenths*100))
	if q.FixedCarried > 0 {
		fmt.Fprintf(tw, "fixed charge carried as debt\t%s\n", q.FixedCarried)
	}
	return tw.Flush()
}

// parseAt reads a date (from midnight EAT) or an RFC 3339 time.
func parseAt(s string) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", s, tariff.Zone); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a date like 2024-07-01 nor a time like 2024-07-01T08:30:00+03:00", s)
	}
	return t, nil
}
