package invoice_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/invoice"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/tariff"
)

func sample(t *testing.T, signed bool) invoice.Document {
	t.Helper()
	at := time.Date(2025, 6, 8, 10, 0, 0, 0, tariff.Zone)
	inv := isp.Invoice{ID: "01JX", Number: "INV-2025-000002", Kind: isp.KindInvoice, Status: isp.InvoiceIssued, PlanName: "Home 10 Mbps",
		BuyerName: "Wanjiku Kamau", BuyerPhone: "254712000002", BuyerAccount: "bob", SellerName: "Mteja Net", SellerPIN: "P051234567X",
		PeriodStart: at.AddDate(0, 0, 7), PeriodEnd: at.AddDate(0, 1, 7), DueAt: at.AddDate(0, 0, 7), IssuedAt: at,
		Split: isp.SplitPrice(money.MustFromMajor(2000), at)}
	if signed {
		sig, err := (&isp.SimulatedUnit{Key: []byte("k")}).Sign(context.Background(), inv)
		if err != nil {
			t.Fatal(err)
		}
		inv.ETIMS, inv.SignedAt = sig, at.Add(time.Minute)
	}
	return invoice.Document{Invoice: inv, Lang: "en"}
}

func TestHTML(t *testing.T) {
	var b bytes.Buffer
	if err := invoice.HTML(&b, sample(t, false)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"Tax invoice", "INV-2025-000002", "P051234567X", "Wanjiku Kamau", "1,499.25", "224.89", "275.86", "2,000.00",
		"Excise duty 15%", "VAT 16%", "08/06/2025 10:00 EAT", "15/06/2025 – 15/07/2025", "Awaiting signature", "@page{size:A4"} {
		if !strings.Contains(page, want) {
			t.Errorf("unsigned page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "SIM-CU") {
		t.Error("a script, or eTIMS fields before signature")
	}
	// The style is allowed by its hash, and by nothing else.
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(page)
	sum := sha256.Sum256([]byte(style[1]))
	if !strings.Contains(invoice.CSP, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("the page's style is not the one CSP allows")
	}

	d := sample(t, true)
	b.Reset()
	if err := invoice.HTML(&b, d); err != nil {
		t.Fatal(err)
	}
	page = b.String()
	for _, want := range []string{d.ETIMS.CUSerial, d.ETIMS.CUInvoiceNumber, d.ETIMS.Signature, d.ETIMS.InternalData, "Receipt number",
		`src="data:image/png;base64,`, "SIMULATOR"} {
		if !strings.Contains(page, want) {
			t.Errorf("signed page lacks %q", want)
		}
	}
	if strings.Contains(page, "Awaiting") {
		t.Error("a signed page says it awaits signature")
	}

	d.Lang, d.Kind, d.Number, d.Of, d.Reason = "sw", isp.KindCreditNote, "CN-2025-000001", "INV-2025-000002", "siku tatu bila huduma <b>"
	b.Reset()
	if err := invoice.HTML(&b, d); err != nil {
		t.Fatal(err)
	}
	page = b.String()
	for _, want := range []string{`lang="sw"`, "Hati ya marejesho", "Inarekebisha ankara", "INV-2025-000002", "siku tatu bila huduma &lt;b&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("Swahili credit note lacks %q", want)
		}
	}
}

func TestPDF(t *testing.T) {
	for _, signed := range []bool{false, true} {
		var b bytes.Buffer
		d := sample(t, signed)
		if err := invoice.PDF(&b, d); err != nil {
			t.Fatal(err)
		}
		out := b.Bytes()
		if !bytes.HasPrefix(out, []byte("%PDF-")) || !bytes.Contains(out, []byte("INV-2025-000002")) || !bytes.HasSuffix(bytes.TrimSpace(out), []byte("%%EOF")) {
			t.Errorf("signed %v: not a PDF of the invoice (%d bytes)", signed, len(out))
		}
		if len(out) > 40_000 {
			t.Errorf("signed %v: %d bytes", signed, len(out))
		}
		t.Logf("signed %v: %d bytes", signed, len(out))
		var again bytes.Buffer
		if err := invoice.PDF(&again, d); err != nil || !bytes.Equal(again.Bytes(), out) {
			t.Errorf("signed %v: the same document gave other bytes", signed)
		}
	}
}
