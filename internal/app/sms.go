package app

import (
	"fmt"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/httpsms"
	"github.com/mteja/mteja/internal/notify/smpp"
)

// smsRoutes builds the configured SMS routes, SMPP first: the delivery
// worker fails over to the HTTP gateway when the bind errors or its
// receipts stop, and back once it recovers. Tokens go ahead of bulk on
// both. With no route, token messages wait in the outbox (and every token
// can still be fetched by USSD, the portal and the API); serve says so at
// start.
func (a *App) smsRoutes() ([]notify.Route, error) {
	var routes []notify.Route
	cfg := a.Config
	if cfg.SMPPAddr != "" {
		c, err := smpp.New(smpp.Config{Addr: cfg.SMPPAddr, SystemID: cfg.SMPPSystemID, Password: cfg.SMPPPassword,
			TPS: float64(cfg.SMPPTPS), OnReceipt: a.smsReceipt("smpp"), OnInbound: a.onInbound, Logger: a.Log})
		if err != nil {
			return nil, fmt.Errorf("smpp route: %w", err)
		}
		a.closers = append(a.closers, c.Close)
		routes = append(routes, notify.Route{Name: "smpp", Sender: c})
	}
	if cfg.HTTPSMSURL != "" {
		c, err := httpsms.New(httpsms.Config{BaseURL: cfg.HTTPSMSURL, Username: cfg.HTTPSMSUser, APIKey: cfg.HTTPSMSKey})
		if err != nil {
			return nil, fmt.Errorf("http sms route: %w", err)
		}
		routes = append(routes, notify.Route{Name: "httpsms", Sender: c})
	}
	if len(routes) == 0 {
		a.Log.Warn("no SMS route configured (MTEJA_SMPP_ADDR or MTEJA_HTTPSMS_URL): messages stay queued; tokens are still available on USSD, web and API")
	}
	return routes, nil
}
