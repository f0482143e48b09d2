package portal

import (
	"net/http"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/invoice"
)

// The customer's invoices from the ISP: those of the subscribers
// registered to the phone they logged in with, and no others (another's
// is "not found", as one that does not exist). Served only when the
// portal has the ISP's billing (Handler.ISP).

func (h *Handler) invoiceRoutes(mux *http.ServeMux) {
	if h.ISP == nil {
		return
	}
	mux.Handle("GET /invoices", h.private(h.invoices))
	mux.Handle("GET /invoices/{id}", h.private(h.invoiceDocument))
	mux.Handle("GET /invoices/{id}/pdf", h.private(h.invoicePDF))
}

// invoicesShown keeps the page well under its 30 KB.
const invoicesShown = 24

// invoices lists the customer's invoices and credit notes, newest first.
func (h *Handler) invoices(w http.ResponseWriter, v *visit) error {
	list, err := h.ISP.Invoices(v.r.Context(), isp.InvoiceFilter{Phone: v.session.MSISDN, Limit: invoicesShown})
	if err != nil {
		return err
	}
	p := v.page("invoices.title", struct{ Invoices []isp.Invoice }{list})
	p.Nav = "invoices"
	return h.render(w, v, http.StatusOK, "invoices", p)
}

// myDocument is one of the customer's invoices as a document.
func (h *Handler) myDocument(v *visit) (invoice.Document, error) {
	ctx := v.r.Context()
	inv, err := h.ISP.InvoiceFor(ctx, v.r.PathValue("id"), v.session.MSISDN)
	if err != nil {
		return invoice.Document{}, err
	}
	d := invoice.Document{Invoice: inv, Lang: v.lang}
	if inv.Kind == isp.KindCreditNote {
		of, err := h.ISP.InvoiceFor(ctx, inv.Credits, v.session.MSISDN)
		if err != nil {
			return d, err
		}
		d.Of = of.Number
	}
	return d, nil
}

// invoiceDocument shows an invoice as it prints, on A4.
func (h *Handler) invoiceDocument(w http.ResponseWriter, v *visit) error {
	d, err := h.myDocument(v)
	if err != nil {
		return err
	}
	return invoice.Serve(w, d, invoice.AsHTML)
}

// invoicePDF sends an invoice as a PDF download.
func (h *Handler) invoicePDF(w http.ResponseWriter, v *visit) error {
	d, err := h.myDocument(v)
	if err != nil {
		return err
	}
	return invoice.Serve(w, d, invoice.AsPDF)
}
