package app

import (
	"context"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/charter"
)

// demoCharterWait is how far the demo backdates its "no token" complaint:
// past the shipped charter's four hours, so the standard is breached.
const demoCharterWait = 5 * time.Hour

// DemoCharterBreach plays a missed standard for the demo: a customer's
// "no token" complaint, opened now and then backdated by five hours (as if
// it had waited since the morning), is judged by the charter's evaluator,
// which grants the compensation and tells the customer by SMS.
func (a *App) DemoCharterBreach(ctx context.Context, dc DemoCustomer) (care.Ticket, charter.Tally, error) {
	t, _, err := a.Desk.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: dc.Phone, MeterDRN: dc.Meter,
		Category: care.CategoryNoToken, Note: "Nimelipa lakini sijapata tokeni"})
	if err != nil {
		return care.Ticket{}, charter.Tally{}, fmt.Errorf("demo charter: %w", err)
	}
	if _, err := a.DB.Write().ExecContext(ctx, `UPDATE tickets SET created_at = created_at - $1 WHERE id = $2`,
		demoCharterWait.Microseconds(), t.ID); err != nil {
		return t, charter.Tally{}, fmt.Errorf("demo charter: backdate %s: %w", t.Ref, err)
	}
	n, err := a.Evaluator.RunOnce(ctx)
	if err != nil {
		return t, n, fmt.Errorf("demo charter: %w", err)
	}
	a.Delivery.Wake()
	return t, n, nil
}
