package app

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/phone"
)

var demoSMSPage = template.Must(template.New("sms").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="refresh" content="5"><title>Demo SMS inbox</title>
<style>body{font:16px/1.4 system-ui,sans-serif;margin:1em;max-width:40em}pre{background:#f4f4f4;padding:.6em;white-space:pre-wrap}</style>
<h1>Demo SMS inbox</h1><p>What the in-process SMS route sent, newest first. Refreshes every 5 s.</p>
{{range .}}<p><b>To {{.To}}</b> at {{.At.Format "15:04:05"}}</p><pre>{{.Text}}</pre>{{else}}<p>No messages yet.</p>{{end}}
</html>`))

func (a *App) demoSMS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	demoSMSPage.Execute(w, a.Sink.Messages())
}

// demoPay makes a simulated M-Pesa Paybill payment: POST
// /demo/pay?phone=2547...&meter=...&amount=250 pays the utility for a
// meter; &account=wanjiku instead of meter pays the ISP's Paybill.
func (a *App) demoPay(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	num, err := phone.Normalize(q.Get("phone"))
	if err != nil {
		http.Error(w, "phone: "+err.Error(), http.StatusBadRequest)
		return
	}
	amt, err := money.Parse(q.Get("amount"))
	if err != nil || amt <= 0 || !amt.IsWhole() {
		http.Error(w, "amount: want whole shillings, e.g. amount=250", http.StatusBadRequest)
		return
	}
	sim, account, after := a.Sim, q.Get("meter"), "The token SMS appears at /demo/sms; the receipt also finds it on USSD and the API."
	if q.Has("account") {
		if q.Has("meter") || a.ISPSim == nil {
			http.Error(w, "give either meter= (the utility's Paybill) or account= (the ISP's), not both", http.StatusBadRequest)
			return
		}
		sim, account, after = a.ISPSim, q.Get("account"), "The ISP's SMS appears at /demo/sms."
	}
	receipt, err := sim.PayBill(r.Context(), num, account, amt)
	if err != nil {
		http.Error(w, "payment: "+err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "paid: M-Pesa receipt %s. %s\n", receipt, after)
}

// demoText is a customer's SMS to the short code, as the SMS gateway
// would pass it on: POST /demo/sms?phone=2547...&text=MATUMIZI. The answer
// appears at /demo/sms.
func (a *App) demoText(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	num, err := phone.Normalize(q.Get("phone"))
	if err != nil {
		http.Error(w, "phone: "+err.Error(), http.StatusBadRequest)
		return
	}
	if q.Get("text") == "" {
		http.Error(w, "text: the message the customer sends, e.g. text=USAGE", http.StatusBadRequest)
		return
	}
	if err := a.Inbound(r.Context(), sms.Inbound{From: num, Text: q.Get("text")}); err != nil {
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "received. The answer appears at /demo/sms.")
}
