package invoice

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"
)

// PDF writes the document as an A4 PDF. It uses the PDF core fonts
// (Helvetica, Courier: nothing embedded, so a page is a few kB) whose
// code page is Latin-1; text outside it is written as '?', which names
// and PINs in Kenya's Latin script do not reach. The creation date is the
// issue time, so the same document gives the same bytes.
func PDF(w io.Writer, d Document) error {
	t := d.text()
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	pdf.SetCreationDate(d.IssuedAt)
	pdf.SetModificationDate(d.IssuedAt)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(d.Title()+" "+d.Number, false)
	pdf.SetAuthor(latin1(d.SellerName), false)
	pdf.SetCreator("Mteja", false)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	text := func(s string) string { return tr(latin1(s)) }
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 18)
	pdf.CellFormat(0, 9, text(d.Title()), "", 1, "L", false, 0, "")
	pdf.SetFont("Courier", "", 11)
	pdf.CellFormat(0, 6, d.Number, "B", 1, "L", false, 0, "")
	pdf.Ln(3)

	row := func(label, value string, mono bool) {
		pdf.SetFont("Helvetica", "", 9)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(55, 5, text(label), "", 0, "L", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		if mono {
			pdf.SetFont("Courier", "", 9)
		} else {
			pdf.SetFont("Helvetica", "", 10)
		}
		pdf.MultiCell(0, 5, text(value), "", "L", false)
	}
	row(t.Issued, dateTime(d.IssuedAt), false)
	row(t.Period, date(d.PeriodStart)+" - "+date(d.PeriodEnd), false)
	if d.Kind == "credit_note" {
		row(t.Corrects, d.Of, true)
		row(t.Reason, d.Reason, false)
	} else {
		row(t.Due, date(d.DueAt), false)
		row(t.Status, d.status(), false)
	}
	pdf.Ln(3)
	row(t.Seller, d.SellerName, false)
	row(t.PIN, d.sellerPIN(), true)
	row(t.Buyer, strings.TrimSpace(d.BuyerName+"  "+d.BuyerPhone), false)
	row(t.Account, d.BuyerAccount, true)
	pdf.Ln(4)

	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(140, 7, text(t.Description), "B", 0, "L", false, 0, "")
	pdf.CellFormat(0, 7, "KES", "B", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(0, 6, text(strings.ReplaceAll(d.description(), "–", "-")), "", "L", false)
	for i, l := range d.lines() {
		style, border := "", "B"
		if i == 3 {
			style, border = "B", "TB"
		}
		pdf.SetFont("Helvetica", style, 10)
		pdf.CellFormat(140, 7, text(l.label), border, 0, "L", false, 0, "")
		pdf.CellFormat(0, 7, l.amount, border, 1, "R", false, 0, "")
	}
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "", 8)
	pdf.SetTextColor(90, 90, 90)
	pdf.MultiCell(0, 4, text(t.PricesNote), "", "L", false)
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(4)

	if !d.Signed() {
		pdf.SetFont("Helvetica", "B", 11)
		pdf.SetDrawColor(180, 83, 9)
		pdf.SetTextColor(180, 83, 9)
		pdf.CellFormat(0, 10, text(t.ETIMS+": "+t.Awaiting), "1", 1, "C", false, 0, "")
	} else {
		png, err := qrPNG(d.ETIMS.QR, 240)
		if err != nil {
			return err
		}
		y := pdf.GetY()
		pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
		pdf.ImageOptions("qr", 15, y, 35, 35, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		pdf.SetLeftMargin(55)
		pdf.SetXY(55, y)
		row(t.ETIMS+" "+t.CUSerial, d.ETIMS.CUSerial, true)
		row(t.CUNumber, d.ETIMS.CUInvoiceNumber, true)
		row(t.Receipt, d.ETIMS.ReceiptNumber, true)
		row(t.Signature, d.ETIMS.Signature, true)
		row(t.Internal, d.ETIMS.InternalData, true)
		row(t.Verify, d.ETIMS.QR, true)
		pdf.SetLeftMargin(15)
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("invoice %s: PDF: %w", d.Number, err)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return fmt.Errorf("invoice %s: PDF: %w", d.Number, err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// latin1 replaces what the core fonts cannot show.
func latin1(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '–' || r == '—':
			return '-'
		case r > 0xff:
			return '?'
		}
		return r
	}, s)
}
