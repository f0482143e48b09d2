package app

import (
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/ussd"
)

// routes registers the channels that are not the JSON API.
func (a *App) routes() {
	ussd.NewHandler(newCountedUSSD(ussdBackend{a}, a.Usage), ussd.Options{Brand: a.Config.Utility, Currency: "KES", Location: tariff.Zone, Logger: a.Log,
		Gate: peer.Gate{Secret: a.Config.USSDSecret, Allow: a.Config.USSDAllow, Open: true}}).Routes(a.Mux)
	a.inboundRoutes()
	a.portal()
	if a.Sink != nil {
		a.Mux.HandleFunc("GET /demo/sms", a.demoSMS)
		a.Mux.HandleFunc("POST /demo/pay", a.demoPay)
	}
}
