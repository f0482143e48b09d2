package app

import (
	"context"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/keyword"
	"github.com/mteja/mteja/internal/notify/httpsms"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/phone"
)

// inboundRoutes registers the HTTP SMS gateway's callbacks: inbound
// messages (keywords) and delivery reports, behind the gateway's own secret
// path segment and optional source allow-list.
func (a *App) inboundRoutes() {
	a.keywords = &keyword.Responder{DB: a.DB, Desk: a.Desk, Utility: a.Config.Utility, USSDCode: a.Config.USSDCode, Usage: a.Usage, Outages: a.outageService().phone}
	if len(a.Config.ISPShortCodes) > 0 {
		a.keywords.Internet = a.ISP // USAGE and VOUCHER, for the ISP's subscribers
	}
	gate := peer.Gate{Secret: a.Config.SMSSecret, Allow: a.Config.SMSAllow, Open: true}
	guard := func(fn func(w http.ResponseWriter, r *http.Request)) http.Handler {
		return gate.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
			fn(w, r)
		}))
	}
	a.Mux.Handle("POST /sms/{secret}/inbound", guard(func(w http.ResponseWriter, r *http.Request) {
		in, err := httpsms.ParseInbound(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := a.Inbound(r.Context(), in); err != nil {
			http.Error(w, "Internal error", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	a.Mux.Handle("POST /sms/{secret}/delivery", guard(func(w http.ResponseWriter, r *http.Request) {
		rc, err := httpsms.ParseDeliveryReport(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.smsReceipt("httpsms")(rc)
		w.WriteHeader(http.StatusOK)
	}))
}

// Inbound answers a mobile-originated SMS (from SMPP deliver_sm or the HTTP
// gateway) by its keyword.
func (a *App) Inbound(ctx context.Context, in sms.Inbound) error {
	from, err := phone.Normalize(in.From)
	if err != nil {
		a.Log.Warn("inbound sms from an unusable number", "from", phone.Mask(in.From))
		return nil
	}
	if _, err := a.keywords.Handle(ctx, from, in.Text); err != nil {
		a.Log.Error("inbound sms", "from", phone.Mask(from), "err", err)
		return err
	}
	a.Delivery.Wake()
	return nil
}

// onInbound is the SMPP route's callback: it runs on the bind's read loop,
// so it answers in the background.
func (a *App) onInbound(in sms.Inbound) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		a.Inbound(ctx, in)
	}()
}
