package main

import (
	"fmt"
	"io"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/payment"
)

// printSpoolDemo tells what happens to a payment when the database is
// restarting: M-Pesa sends a confirmation once, so it is never refused.
func printSpoolDemo(w io.Writer, a *app.App) {
	if a.Intake == nil || a.Intake.Spool == nil {
		return
	}
	fmt.Fprintf(w, `
If the database restarts while customers pay:
  A confirmation waits up to %s for the database, then is kept (synced to disk) in
    %s
  and answered 200; the server stores it, once, when the database is back.
  Counters: mteja_intake_retried_total, mteja_intake_spooled_total, mteja_intake_replayed_total
  USSD and the portal tell a buyer to try again in a minute.
`, payment.DefaultRetryFor, a.Intake.Spool.Path())
}
