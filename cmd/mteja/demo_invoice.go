package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/money"
)

// demoInvoice plays the monthly line's story: Ali Hassan pays his month
// by M-Pesa, the payment issues its invoice (paid), and the simulated
// eTIMS unit signs it. It prints where to see it.
func demoInvoice(ctx context.Context, w io.Writer, a *app.App) error {
	if a.ISP == nil || a.ISPSim == nil {
		return nil
	}
	ali, plan := app.DemoCustomers[2], app.DemoISPPlans[1]
	u, err := a.ISP.ByUsername(ctx, app.DemoHomeUsername)
	if err != nil {
		return fmt.Errorf("demo invoice: %w", err)
	}
	receipt, err := a.ISPSim.PayBill(ctx, ali.Phone, app.DemoHomeUsername, plan.Price)
	if err != nil {
		return fmt.Errorf("demo invoice: pay: %w", err)
	}
	var inv isp.Invoice
	deadline := time.Now().Add(20 * time.Second)
	for {
		invs, err := a.ISP.Invoices(ctx, isp.InvoiceFilter{SubscriberID: u.ID, Kind: isp.KindInvoice, Limit: 1})
		if err != nil {
			return fmt.Errorf("demo invoice: %w", err)
		}
		if len(invs) == 1 {
			inv = invs[0]
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo invoice: no invoice within 20 s of payment %s", receipt)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	if _, err := a.ISP.SignOnce(ctx); err != nil { // the signer runs every few seconds; the demo need not wait
		return fmt.Errorf("demo invoice: sign: %w", err)
	}
	if now, err := a.ISP.GetInvoice(ctx, inv.ID); err == nil {
		inv = now
	}
	signed := "awaiting eTIMS signature"
	if inv.Signed() {
		signed = "signed by the simulated eTIMS unit " + inv.ETIMS.CUSerial
	}
	fmt.Fprintf(w, `
The ISP's monthly line: %[1]s (%[2]s, username %[3]s) paid %[4]s for %[5]s by M-Pesa (receipt %[6]s).
Invoice %[7]s was issued and paid: net %[8]s, excise %[9]s, VAT %[10]s; seller PIN %[11]s (made up, demo only);
%[12]s. The next month's invoice comes %[13]d days before it is due, with reminders (SMS) before and after.
  Print it (A4), as the customer sees it after logging in at %[14]s/ with phone %[2]s:
    %[14]s/invoices/%[15]s   (and /pdf)
  In the staff console (invoices, credit notes): %[14]s/staff/internet/invoices/%[15]s
`, ali.Name, ali.Phone, app.DemoHomeUsername, money.Amount(plan.Price).Format("KES"), plan.Name, receipt, inv.Number,
		inv.Net, inv.Excise, inv.VAT, inv.SellerPIN, signed, a.Config.ISPInvoiceDays, a.URL(), inv.ID)
	return nil
}
