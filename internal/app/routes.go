package app

import (
	"context"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/ussd"
)

// routes registers the channels that are not the JSON API.
func (a *App) routes() {
	opts := ussd.Options{Brand: a.Config.Utility, Currency: "KES", Location: tariff.Zone, Logger: a.Log,
		Gate:    peer.Gate{Secret: a.Config.USSDSecret, Allow: a.Config.USSDAllow, Open: true},
		OnEvent: a.ussdSession, Steps: care.USSDSteps{DB: a.DB}, Survey: ussdSurvey{a}}
	if len(a.Config.ISPShortCodes) > 0 {
		opts.Internet = ussdInternet{a.ISP} // the internet menu, for the ISP's subscribers
	}
	opts.Agents = ussdAgents{a} // choice 9: the agent menu, for agent users' phones only
	ussd.NewHandler(newCountedUSSD(ussdBackend{a}, a.Usage), opts).Routes(a.Mux)
	a.inboundRoutes()
	a.portal()
	a.agentPages()
	if a.Sink != nil {
		a.Mux.HandleFunc("GET /demo/sms", a.demoSMS)
		a.Mux.HandleFunc("POST /demo/pay", a.demoPay)
		a.Mux.HandleFunc("POST /demo/sms", a.demoText)
		a.Mux.HandleFunc("GET "+DemoHotspotPath, a.demoHotspot)
		a.Mux.HandleFunc("POST "+DemoHotspotPath+"/login", a.demoHotspotLogin)
	}
}

// ussdSession keeps the gateway's end-of-session notification, for the
// customer's timeline in the console.
func (a *App) ussdSession(ctx context.Context, ev ussd.Event) error {
	return care.RecordUSSDSession(ctx, a.DB, care.USSDSession{SessionID: ev.SessionID, MSISDN: ev.Phone, Status: ev.Status, Input: ev.Input,
		Hops: ev.Hops, Duration: time.Duration(ev.DurationMillis) * time.Millisecond, Error: ev.ErrorMessage})
}
