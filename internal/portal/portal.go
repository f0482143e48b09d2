// Package portal is the customer web portal: server-rendered pages that
// work without JavaScript on any phone's browser, at most 30 KB each with
// their CSS, in English and Swahili. Customers log in with their phone
// number and a code sent by SMS, then see their meters and tokens, buy by
// M-Pesa STK push, find the token of a payment that seemed lost, report a
// problem and read outage notices.
package portal

import (
	"log/slog"
	"net/http"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// Handler serves the portal. DB, Login and Log are required; the rest are
// optional as noted.
type Handler struct {
	DB *store.DB
	// Desk opens the customers' tickets; nil opens them with the defaults.
	Desk  *care.Desk
	Login *login.Service
	// STK starts M-Pesa payments; nil shows buying as unavailable.
	STK *payment.STK
	// ISP is the internet service's billing: its subscribers see their
	// accounts at /internet and their invoices at /invoices. nil leaves
	// those pages out.
	ISP *isp.Service
	// Recovery asks M-Pesa about receipts we never heard of; nil looks
	// only at the payments we have.
	Recovery *payment.Recovery
	Log      *slog.Logger
	Utility  string // shown in the header ("Mteja Power")
	USSDCode string // shown in the footer ("*384*123#"); "" hides it
	// Cookies carries the web session; set Secure when the public URL is
	// https.
	Cookies login.Cookies
	// OnMessages runs after a handler queued an SMS, to wake delivery.
	OnMessages func()
	// Assisted names the hub attendant holding an assisted session on a
	// request (package login's KindAssisted), or refuses it; nil refuses
	// every assisted session. Every request in one is audited under the
	// attendant's name, and every page shows who assists.
	Assisted func(r *http.Request, s login.Session) (login.Assistant, error)

	// Charter is the service charter whose report /charter publishes;
	// nil leaves the page and its link out.
	Charter *charter.Charter

	csrf         *http.CrossOriginProtection
	limits       *limits
	charterCache charterCache
	statusCache  statusCache // the public status page's last reading

}

// Routes registers every portal route on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	h.csrf = http.NewCrossOriginProtection()
	h.limits = newLimits()

	mux.Handle("GET /{$}", h.open(h.home))
	mux.Handle("GET /login", h.open(h.loginForm))
	mux.Handle("POST /login", h.open(h.loginSend))
	mux.Handle("GET /login/code", h.open(h.codeForm))
	mux.Handle("POST /login/code", h.open(h.codeCheck))
	mux.Handle("POST /logout", h.open(h.logout))
	mux.Handle("POST /language", h.open(h.language))
	if h.Charter != nil {
		mux.Handle("GET /charter", h.open(h.charterPage))
		mux.Handle("GET /charter.csv", h.open(h.charterCSV))
	}
	mux.Handle("GET /status", h.open(h.status))

	mux.Handle("GET /meters", h.private(h.meters))
	mux.Handle("GET /meters/{drn}/tokens", h.private(h.tokens))
	mux.Handle("POST /meters/{drn}/resend", h.private(h.resend))
	mux.Handle("GET /purchases", h.private(h.purchases))
	mux.Handle("GET /receipts/{receipt}", h.private(h.receipt))
	mux.Handle("GET /buy", h.private(h.buyForm))
	mux.Handle("POST /buy", h.private(h.buyStart))
	mux.Handle("GET /buy/{checkout}", h.private(h.buyStatus))
	mux.Handle("GET /paid", h.private(h.paid))
	mux.Handle("GET /report", h.private(h.reportForm))
	mux.Handle("POST /report", h.private(h.reportSend))
	mux.Handle("GET /report/{ref}", h.private(h.reportDone))
	mux.Handle("GET /outages", h.private(h.outages))
	mux.Handle("GET /feedback", h.private(h.feedback))
	mux.Handle("POST /feedback", h.private(h.feedbackSend))
	mux.Handle("GET /internet", h.private(h.internet))
	mux.Handle("POST /internet/buy", h.private(h.internetBuy))
	mux.Handle("GET /internet/buy/{checkout}", h.private(h.internetStatus))
	mux.Handle("POST /internet/voucher", h.private(h.internetVoucher))
	h.invoiceRoutes(mux)
}
