package invoice

import (
	"bytes"
	"io"
	"net/http"
)

// Formats a document is served in.
const (
	AsHTML = "html"
	AsPDF  = "pdf" // a download named after the document's number
)

// Serve renders d whole in format and sends it, with the headers every
// page of Mteja carries (CSP, nosniff, no-store: a customer's invoice is
// not kept by shared caches).
func Serve(w http.ResponseWriter, d Document, format string) error {
	render, contentType := HTML, "text/html; charset=utf-8"
	if format == AsPDF {
		render, contentType = PDF, "application/pdf"
	}
	var b bytes.Buffer
	if err := render(io.Writer(&b), d); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Referrer-Policy", "same-origin")
	if format == AsPDF {
		// Numbers are letters, digits and '-': nothing to escape.
		hd.Set("Content-Disposition", `attachment; filename="`+d.Number+`.pdf"`)
	}
	_, err := w.Write(b.Bytes())
	return err
}
