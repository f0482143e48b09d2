package invoice

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
)

// The HTML document stands alone: one inline style sheet (allowed by its
// hash in CSP), no script, the QR code as a data: image. Its print rules
// set an A4 page with margins, keep the amounts table whole, and hide
// nothing that matters, so a browser's Print gives the invoice as it is.

const style = `
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,sans-serif;color:#111;margin:0 auto;max-width:800px;padding:16px}
h1{font-size:22px;margin:0 0 4px}
.top{display:flex;flex-wrap:wrap;justify-content:space-between;gap:16px;border-bottom:2px solid #111;padding-bottom:8px;margin-bottom:12px}
.parties{display:flex;flex-wrap:wrap;gap:16px;margin-bottom:12px}
.parties div{flex:1 1 240px}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;margin:0}
dt{color:#555}
dd{margin:0}
table{width:100%;border-collapse:collapse;margin:12px 0;page-break-inside:avoid}
th,td{padding:6px 8px;border-bottom:1px solid #ccc;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;border-top:2px solid #111}
.etims{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start;border:1px solid #999;padding:8px;page-break-inside:avoid}
.etims dl{flex:1 1 220px;min-width:0;grid-template-columns:minmax(0,1fr)}
.etims dd{margin-bottom:4px}
.etims img{width:120px;height:120px}
.await{border:2px dashed #b45309;color:#b45309;padding:8px;font-weight:bold}
.mono{font-family:ui-monospace,monospace;word-break:break-all}
.note{color:#555;font-size:12px}
@page{size:A4;margin:15mm}
@media print{body{padding:0;max-width:none;font-size:11pt}.noprint{display:none}a{color:inherit;text-decoration:none}}
`

// CSP is the Content-Security-Policy an HTML document is served with:
// nothing but its own style and the QR code's image.
var CSP = func() string {
	sum := sha256.Sum256([]byte(style))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

var page = template.Must(template.New("invoice").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} {{.Number}}</title><style>{{.Style}}</style></head>
<body>
<div class="top"><div><h1>{{.Title}}</h1><div class="mono">{{.Number}}</div></div>
<dl><dt>{{.T.Issued}}</dt><dd>{{.Issued}}</dd>
<dt>{{.T.Period}}</dt><dd>{{.Period}}</dd>
{{if .Credit}}<dt>{{.T.Corrects}}</dt><dd class="mono">{{.Of}}</dd><dt>{{.T.Reason}}</dt><dd>{{.Reason}}</dd>
{{else}}<dt>{{.T.Due}}</dt><dd>{{.Due}}</dd><dt>{{.T.Status}}</dt><dd>{{.StatusText}}</dd>{{end}}</dl></div>
<div class="parties">
<div><strong>{{.T.Seller}}</strong><div>{{.SellerName}}</div><dl><dt>{{.T.PIN}}</dt><dd class="mono">{{.PIN}}</dd></dl></div>
<div><strong>{{.T.Buyer}}</strong><div>{{.BuyerName}}</div><div>{{.BuyerPhone}}</div><dl><dt>{{.T.Account}}</dt><dd class="mono">{{.BuyerAccount}}</dd></dl></div>
</div>
<table><thead><tr><th>{{.T.Description}}</th><th class="n">KES</th></tr></thead><tbody>
<tr><td colspan="2">{{.Description}}</td></tr>
{{range $i, $l := .Lines}}<tr{{if eq $i 3}} class="total"{{end}}><td>{{$l.Label}}</td><td class="n">{{$l.Amount}}</td></tr>
{{end}}</tbody></table>
<p class="note">{{.T.PricesNote}}</p>
{{if .Signed}}<div class="etims"><img alt="{{.T.Verify}}" src="{{.QRImage}}"><dl>
<dt>{{.T.ETIMS}} {{.T.CUSerial}}</dt><dd class="mono">{{.ETIMS.CUSerial}}</dd>
<dt>{{.T.CUNumber}}</dt><dd class="mono">{{.ETIMS.CUInvoiceNumber}}</dd>
<dt>{{.T.Receipt}}</dt><dd class="mono">{{.ETIMS.ReceiptNumber}}</dd>
<dt>{{.T.Signature}}</dt><dd class="mono">{{.ETIMS.Signature}}</dd>
<dt>{{.T.Internal}}</dt><dd class="mono">{{.ETIMS.InternalData}}</dd>
<dt>{{.T.Verify}}</dt><dd class="mono">{{.ETIMS.QR}}</dd></dl></div>
{{else}}<p class="await">{{.T.ETIMS}}: {{.T.Awaiting}}</p>{{end}}
</body></html>
`))

type htmlLine struct{ Label, Amount string }

// HTML writes the document as a page.
func HTML(w io.Writer, d Document) error {
	t := d.text()
	lines := make([]htmlLine, 0, 6)
	for _, l := range d.lines() {
		lines = append(lines, htmlLine{l.label, l.amount})
	}
	data := struct {
		Document
		T                               text
		Style                           template.CSS
		Title, Issued, Period, Due, PIN string
		StatusText, Description         string
		Credit, Signed                  bool
		Lines                           []htmlLine
		QRImage                         template.URL
	}{Document: d, T: t, Style: template.CSS(style), Title: d.Title(), Issued: dateTime(d.IssuedAt),
		Period: date(d.PeriodStart) + " – " + date(d.PeriodEnd), Due: date(d.DueAt), PIN: d.sellerPIN(), StatusText: d.status(),
		Description: d.description(), Credit: d.Kind == "credit_note", Signed: d.Signed(), Lines: lines}
	if d.Lang != "sw" {
		data.Lang = "en"
	}
	if d.Signed() {
		png, err := qrPNG(d.ETIMS.QR, 240)
		if err != nil {
			return err
		}
		data.QRImage = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	// Rendered whole before a byte is written: a failure sends no half page.
	var b bytes.Buffer
	if err := page.Execute(&b, data); err != nil {
		return fmt.Errorf("invoice %s: %w", d.Number, err)
	}
	_, err := w.Write(b.Bytes())
	return err
}
