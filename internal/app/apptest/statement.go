package apptest

import (
	"encoding/csv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/phone"
)

// StatementRow is one row of a hand-built organisation statement, its
// amounts written as the export writes them ("1,500.00", "-15.00").
type StatementRow struct {
	Receipt                        string
	At                             time.Time
	Details, PaidIn, Withdrawn     string
	Reason, Party, Linked, Account string
}

// Statement writes rows as the M-Pesa portal exports them: heading lines
// above the header, and without the optional Initiation Time and Balance
// Confirmed columns.
func (a *App) Statement(rows ...StatementRow) string {
	var b strings.Builder
	b.WriteString("Organization Name:,Mteja Power\nOrganization Short Code:," + a.Config.DarajaShortCode() + "\nOperator:,finance\n\n")
	b.WriteString("Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Reason Type,Other Party Info,Linked Transaction ID,A/C No.\n")
	w := csv.NewWriter(&b)
	for _, r := range rows {
		w.Write([]string{r.Receipt, r.At.In(mpesa.EAT).Format("02-01-2006 15:04:05"), r.Details, "Completed", r.PaidIn, r.Withdrawn, "", r.Reason, r.Party, r.Linked, r.Account})
	}
	w.Flush()
	return b.String()
}

// PaidRow is the statement's row of a payment the simulator made, the
// payer masked as real statements show it.
func (a *App) PaidRow(receipt string) StatementRow {
	a.T.Helper()
	tx, ok := a.Sim.Transaction(receipt)
	if !ok {
		a.T.Fatalf("the simulator has no transaction %s", receipt)
	}
	reason := "Pay Bill"
	if tx.Kind == mpesa.TxSTK {
		reason = "Pay Bill Online"
	}
	return StatementRow{Receipt: receipt, At: tx.Time, Details: reason + " from " + phone.Mask(tx.Phone), PaidIn: tx.Amount.String(),
		Reason: reason, Party: phone.Mask(tx.Phone) + " - " + tx.FirstName, Account: tx.BillRef}
}
