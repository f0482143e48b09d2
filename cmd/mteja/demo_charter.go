package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/vend"
)

// demoCharter plays the service charter's story: a "no token" complaint
// misses its four hours (the demo backdates it; said so in the text), the
// customer is told of the compensation, and her next token carries it.
func demoCharter(ctx context.Context, w io.Writer, a *app.App) error {
	mary := app.DemoCustomers[1]
	t, n, err := a.DemoCharterBreach(ctx, mary)
	if err != nil {
		return err
	}
	told, err := waitForText(ctx, a, mary.Phone, "Fidia ya KES", 20*time.Second)
	if err != nil {
		return fmt.Errorf("demo charter: breach SMS: %w", err)
	}
	fmt.Fprintf(w, `
Service charter: %s reported "no token" (ticket %s). The demo backdated the ticket by
5 hours, past the charter's 4-hour standard; the charter's evaluator found %d breach and
granted compensation. The SMS to %s:

%s
`, mary.Name, t.Ref, n.Breached, mary.Phone, indent(told.Text))

	receipt, err := a.Sim.PayBill(ctx, mary.Phone, mary.Meter, money.MustFromMajor(300))
	if err != nil {
		return fmt.Errorf("demo charter: pay: %w", err)
	}
	tok, err := waitForText(ctx, a, mary.Phone, "Fidia:", 30*time.Second)
	if err != nil {
		return fmt.Errorf("demo charter: payment %s: %w", receipt, err)
	}
	v, err := vend.ByReceipt(ctx, a.DB.Read(), receipt)
	if err != nil {
		return fmt.Errorf("demo charter: %w", err)
	}
	fmt.Fprintf(w, `
Her next payment, KES 300 (M-Pesa %s), took the compensation automatically: paid %s,
compensation %s, %s kWh for both. The token SMS:

%s
`, receipt, v.Amount, v.Compensation, v.Units(), indent(tok.Text))

	rows, err := charter.Report(ctx, a.DB.Read(), a.Charter, a.DB.Now(), 1)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nThe public charter report (no login, no JavaScript): %s/charter  (CSV: %s/charter.csv)\n", a.URL(), a.URL())
	for _, r := range rows {
		if r.Cases > 0 {
			fmt.Fprintf(w, "  %s  %-52s cases %d, met %s, breached %d, compensation KES %s\n",
				r.Month.Format("2006-01"), r.Standard.Title("en"), r.Cases, r.MetPercent(), r.Breached, r.Compensation)
		}
	}
	return nil
}

// waitForText waits for an SMS to a phone that contains text.
func waitForText(ctx context.Context, a *app.App, to, text string, timeout time.Duration) (notify.SinkMessage, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for _, m := range a.Sink.Messages() {
			if m.To == to && strings.Contains(m.Text, text) {
				return m, nil
			}
		}
		select {
		case <-ctx.Done():
			return notify.SinkMessage{}, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return notify.SinkMessage{}, fmt.Errorf("no SMS to %s with %q within %s", to, text, timeout)
}
