package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/invoice"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// The ISP's invoices and credit notes: care, finance and the auditors
// read them (every read of one is audited, as a customer record is);
// finance issues credit notes, the only correction, each with a reason.
// Served only when the console has the ISP's billing (Services.ISP).

func (h *Handler) invoiceRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/staff/internet/invoices", Roles: readerRoles, fn: h.withISP(h.invoices), Menu: "nav.invoices"},
		{Method: "GET", Pattern: "/staff/internet/invoices/{id}", Roles: readerRoles, fn: h.withISP(h.invoicePage), Menu: "nav.invoices"},
		{Method: "GET", Pattern: "/staff/internet/invoices/{id}/print", Roles: readerRoles, fn: h.withISP(h.invoicePrint)},
		{Method: "GET", Pattern: "/staff/internet/invoices/{id}/pdf", Roles: readerRoles, fn: h.withISP(h.invoicePDF)},
		{Method: "POST", Pattern: "/staff/internet/invoices/{id}/credit", Roles: financeRoles, fn: h.withISP(h.invoiceCredit)},
		{Method: "GET", Pattern: "/staff/internet/dunning", Roles: readerRoles, fn: h.withISP(h.dunning), Menu: "nav.dunning"},
		{Method: "POST", Pattern: "/staff/internet/dunning/{plan}", Roles: financeRoles, fn: h.withISP(h.dunningSet)},
	}
}

// withISP answers errNoISP on a console built without the ISP's billing,
// as the other Internet pages do, so that the route table is the same
// everywhere.
func (h *Handler) withISP(fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, v *visit) error {
		if h.Services.ISP == nil {
			return errNoISP
		}
		return fn(w, v)
	}
}

type invoicesData struct {
	Status, Month, Subscriber string
	Statuses                  []string
	List                      []isp.Invoice
	Full                      bool
}

// invoices lists invoices and credit notes, newest first, by status,
// month of issue (EAT) and subscriber.
func (h *Handler) invoices(w http.ResponseWriter, v *visit) error {
	q := v.r.URL.Query()
	d := invoicesData{Status: q.Get("status"), Month: strings.TrimSpace(q.Get("month")), Subscriber: strings.TrimSpace(q.Get("subscriber")),
		Statuses: []string{isp.InvoiceIssued, isp.InvoicePaid, isp.InvoiceCredited}}
	p := h.page(v, "inv.title", &d)
	f := isp.InvoiceFilter{Status: d.Status, Limit: 200}
	bad := func(key string) error {
		p.Err = t(v.lang, key)
		return h.render(w, v, http.StatusBadRequest, "invoices", p)
	}
	switch d.Status {
	case "", isp.InvoiceIssued, isp.InvoicePaid, isp.InvoiceCredited:
	default:
		d.Status = ""
		return bad("inv.badstatus")
	}
	if d.Month != "" {
		m, err := time.ParseInLocation("2006-01", d.Month, tariff.Zone)
		if err != nil {
			return bad("inv.badmonth")
		}
		f.Month = m
	}
	if d.Subscriber != "" {
		u, err := h.Services.ISP.ByUsername(v.r.Context(), d.Subscriber)
		if errors.Is(err, store.ErrNotFound) {
			return bad("inv.nosubscriber")
		}
		if err != nil {
			return err
		}
		f.SubscriberID = u.ID
	}
	list, err := h.Services.ISP.Invoices(v.r.Context(), f)
	if err != nil {
		return err
	}
	if Masks(v.user().Role) {
		for i := range list {
			maskBuyer(&list[i])
		}
	}
	d.List, d.Full = list, len(list) == f.Limit
	return h.render(w, v, http.StatusOK, "invoices", p)
}

// maskBuyer hides the buyer from the roles that do not see customers.
func maskBuyer(inv *isp.Invoice) {
	inv.BuyerName, inv.BuyerPhone = customer.MaskName(inv.BuyerName), phone.Mask(inv.BuyerPhone)
}

type invoiceData struct {
	Inv       isp.Invoice
	Of        *isp.Invoice  // the invoice a credit note corrects
	Notes     []isp.Invoice // an invoice's credit notes
	CanCredit bool
	Amount    string // typed, when a credit note was refused
	Reason    string
}

// document reads the invoice a route names, audits the read, and masks
// the buyer for the roles that do not see customers.
func (h *Handler) document(v *visit) (isp.Invoice, error) {
	inv, err := h.Services.ISP.GetInvoice(v.r.Context(), v.r.PathValue("id"))
	if err != nil {
		return inv, err
	}
	if err := h.audit(v, "isp.invoice.read", inv.ID, inv.Number); err != nil {
		return inv, err
	}
	if Masks(v.user().Role) {
		maskBuyer(&inv)
	}
	return inv, nil
}

// invoicePage shows an invoice or credit note, its links to print and to
// download, its credit notes, and finance's form to issue one.
func (h *Handler) invoicePage(w http.ResponseWriter, v *visit) error {
	inv, err := h.document(v)
	if err != nil {
		return err
	}
	p, err := h.invoiceView(v, inv)
	if err != nil {
		return err
	}
	if v.r.URL.Query().Get("done") == "credited" {
		p.Notice = t(v.lang, "inv.credited")
	}
	return h.render(w, v, http.StatusOK, "invoice", p)
}

func (h *Handler) invoiceView(v *visit, inv isp.Invoice) (page, error) {
	ctx := v.r.Context()
	d := invoiceData{Inv: inv, CanCredit: inv.Kind == isp.KindInvoice && inv.Remaining() > 0 && Allows(financeRoles, v.user().Role)}
	var err error
	if inv.Kind == isp.KindCreditNote {
		of, err := h.Services.ISP.GetInvoice(ctx, inv.Credits)
		if err != nil {
			return page{}, err
		}
		d.Of = &of
	} else if d.Notes, err = h.Services.ISP.Invoices(ctx, isp.InvoiceFilter{Credits: inv.ID}); err != nil {
		return page{}, err
	}
	key := "inv.one"
	if inv.Kind == isp.KindCreditNote {
		key = "inv.one.cn"
	}
	p := h.page(v, key, d, inv.Number)
	p.Path = "/staff/internet/invoices/" + url.PathEscape(inv.ID)
	return p, nil
}

// printable is an invoice as a document, in the visitor's language.
func (h *Handler) printable(v *visit) (invoice.Document, error) {
	inv, err := h.document(v)
	if err != nil {
		return invoice.Document{}, err
	}
	d := invoice.Document{Invoice: inv, Lang: v.lang}
	if inv.Kind == isp.KindCreditNote {
		of, err := h.Services.ISP.GetInvoice(v.r.Context(), inv.Credits)
		if err != nil {
			return d, err
		}
		d.Of = of.Number
	}
	return d, nil
}

// invoicePrint serves the document alone, to print on A4.
func (h *Handler) invoicePrint(w http.ResponseWriter, v *visit) error {
	d, err := h.printable(v)
	if err != nil {
		return err
	}
	return invoice.Serve(w, d, invoice.AsHTML)
}

// invoicePDF serves the document as a PDF download.
func (h *Handler) invoicePDF(w http.ResponseWriter, v *visit) error {
	d, err := h.printable(v)
	if err != nil {
		return err
	}
	return invoice.Serve(w, d, invoice.AsPDF)
}

// invoiceCredit issues a credit note on an invoice: an amount (at most
// what is left) and a reason, audited. Refused, the page shows why, with
// what was typed.
func (h *Handler) invoiceCredit(w http.ResponseWriter, v *visit) error {
	typed, err := formValue(v, "amount")
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(v.r.PostFormValue("reason"))
	inv, err := h.Services.ISP.GetInvoice(v.r.Context(), v.r.PathValue("id"))
	if err != nil {
		return err
	}
	refuse := func(msg string) error {
		if now, err := h.Services.ISP.GetInvoice(v.r.Context(), inv.ID); err == nil {
			inv = now
		}
		p, err := h.invoiceView(v, inv)
		if err != nil {
			return err
		}
		d := p.Data.(invoiceData)
		d.Amount, d.Reason = typed, reason
		p.Data, p.Err = d, msg
		return h.render(w, v, http.StatusBadRequest, "invoice", p)
	}
	amount, err := money.Parse(typed)
	if err != nil || amount <= 0 {
		return refuse(t(v.lang, "inv.badamount"))
	}
	if len(reason) < 5 {
		return refuse(t(v.lang, "reason.needed"))
	}
	_, err = h.Services.ISP.Credit(v.r.Context(), inv.ID, amount, reason, v.user().Actor())
	if errors.Is(err, isp.ErrCredit) {
		return refuse(t(v.lang, "inv.refused", err.Error()))
	}
	if err != nil {
		return err
	}
	return redirect(w, v, "/staff/internet/invoices/"+url.PathEscape(inv.ID)+"?done=credited")
}

// Percent shows a rate in basis points as a percentage.
func (invoiceData) Percent(bp int64) string {
	if bp%100 == 0 {
		return fmt.Sprintf("%d%%", bp/100)
	}
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}

// Day shows a date in EAT, without the time.
func (invoiceData) Day(t time.Time) string { return showDay(t) }

// Day shows a date in EAT, without the time.
func (*invoicesData) Day(t time.Time) string { return showDay(t) }

func showDay(t time.Time) string { return t.In(tariff.Zone).Format("2006-01-02") }
