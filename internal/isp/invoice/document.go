// Package invoice renders the ISP's invoices and credit notes (made and
// kept by package isp) as documents: an HTML page that prints on A4, and
// a PDF. Both show the same facts, in English or Swahili: seller and PIN,
// buyer, period, the price taken apart into net, excise and VAT at the
// rates of the tax point, and eTIMS's signature with its QR code, or that
// the document awaits it.
package invoice

import (
	"bytes"
	"fmt"
	"image/png"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/tariff"
)

// Document is an invoice or a credit note as it is shown.
type Document struct {
	isp.Invoice
	// Of is the number of the invoice a credit note corrects.
	Of string
	// Lang is "en" or "sw"; anything else is English.
	Lang string
}

// text is what a document says, by language.
type text struct {
	Invoice, CreditNote                    string
	Seller, Buyer, PIN, NoPIN, Account     string
	Number, Issued, Period, Due, Status    string
	Corrects, Reason                       string
	Description, Net, Excise, VAT, Total   string
	Credited, Left                         string
	ETIMS, Awaiting, CUSerial, CUNumber    string
	Signature, Internal, Receipt, Verify   string
	StatusIssued, StatusPaid, StatusCredit string
	PricesNote                             string
}

var texts = map[string]text{
	"en": {
		Invoice: "Tax invoice", CreditNote: "Credit note",
		Seller: "Seller", Buyer: "Buyer", PIN: "KRA PIN", NoPIN: "not set", Account: "Account",
		Number: "Number", Issued: "Date (tax point)", Period: "Period", Due: "Due", Status: "Status",
		Corrects: "Corrects invoice", Reason: "Reason",
		Description: "Description", Net: "Net", Excise: "Excise duty", VAT: "VAT", Total: "Total",
		Credited: "Credited", Left: "Left to pay",
		ETIMS: "eTIMS", Awaiting: "Awaiting signature by the control unit", CUSerial: "Control unit serial", CUNumber: "Control unit invoice number",
		Signature: "Signature", Internal: "Internal data", Receipt: "Receipt number", Verify: "Verification",
		StatusIssued: "Issued", StatusPaid: "Paid", StatusCredit: "Credited",
		PricesNote: "Excise duty is charged on the net price, VAT on the net price with excise. Amounts in KES.",
	},
	"sw": {
		Invoice: "Ankara ya kodi", CreditNote: "Hati ya marejesho",
		Seller: "Muuzaji", Buyer: "Mnunuzi", PIN: "PIN ya KRA", NoPIN: "haijawekwa", Account: "Akaunti",
		Number: "Nambari", Issued: "Tarehe (ya kodi)", Period: "Kipindi", Due: "Inadaiwa", Status: "Hali",
		Corrects: "Inarekebisha ankara", Reason: "Sababu",
		Description: "Maelezo", Net: "Bei bila kodi", Excise: "Ushuru wa bidhaa", VAT: "VAT", Total: "Jumla",
		Credited: "Imerejeshwa", Left: "Kiasi kinachodaiwa",
		ETIMS: "eTIMS", Awaiting: "Inasubiri sahihi ya kifaa cha kodi", CUSerial: "Nambari ya kifaa", CUNumber: "Nambari ya ankara ya kifaa",
		Signature: "Sahihi", Internal: "Data ya ndani", Receipt: "Nambari ya risiti", Verify: "Uthibitisho",
		StatusIssued: "Imetolewa", StatusPaid: "Imelipwa", StatusCredit: "Imerejeshwa",
		PricesNote: "Ushuru wa bidhaa hutozwa kwa bei bila kodi, VAT kwa bei pamoja na ushuru. Kiasi kwa KES.",
	},
}

func (d Document) text() text {
	if t, ok := texts[d.Lang]; ok {
		return t
	}
	return texts["en"]
}

// Title is the document's kind as it heads it.
func (d Document) Title() string {
	if d.Kind == isp.KindCreditNote {
		return d.text().CreditNote
	}
	return d.text().Invoice
}

func (d Document) status() string {
	t := d.text()
	switch d.Status {
	case isp.InvoicePaid:
		return t.StatusPaid
	case isp.InvoiceCredited:
		return t.StatusCredit
	}
	return t.StatusIssued
}

func (d Document) sellerPIN() string {
	if d.SellerPIN == "" {
		return d.text().NoPIN
	}
	return d.SellerPIN
}

// line is one row of the amounts table.
type line struct{ label, amount string }

// lines are the price taken apart, then the total (and, for an invoice
// credited in part, what was credited and what is left).
func (d Document) lines() []line {
	t := d.text()
	out := []line{
		{t.Net, amount(d.Net)},
		{fmt.Sprintf("%s %s", t.Excise, percent(d.Rates.Excise)), amount(d.Excise)},
		{fmt.Sprintf("%s %s", t.VAT, percent(d.Rates.VAT)), amount(d.VAT)},
		{t.Total, amount(d.Price)},
	}
	if d.Kind == isp.KindInvoice && d.Credited > 0 {
		out = append(out, line{t.Credited, amount(-d.Credited)}, line{t.Left, amount(d.Remaining())})
	}
	return out
}

func (d Document) description() string {
	return fmt.Sprintf("%s (%s): %s – %s", d.PlanName, d.BuyerAccount, date(d.PeriodStart), date(d.PeriodEnd))
}

func amount(a money.Amount) string { return a.String() }

// percent writes basis points as a percentage: 1600 is "16%", 850 "8.5%".
func percent(bp int64) string {
	if bp%100 == 0 {
		return fmt.Sprintf("%d%%", bp/100)
	}
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}

func date(t time.Time) string { return t.In(tariff.Zone).Format("02/01/2006") }

func dateTime(t time.Time) string { return t.In(tariff.Zone).Format("02/01/2006 15:04") + " EAT" }

// qrPNG draws the verification text as a QR code, size pixels square.
func qrPNG(text string, size int) ([]byte, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	if code, err = barcode.Scale(code, size, size); err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, code); err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	return b.Bytes(), nil
}
