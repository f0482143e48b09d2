package app

import (
	"strings"

	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/portal"
)

// portal serves the customer web portal, with login by SMS code.
func (a *App) portal() {
	svc := &login.Service{DB: a.DB, Utility: a.Config.Utility, OnMessages: a.Delivery.Wake}
	h := &portal.Handler{DB: a.DB, Login: svc, STK: a.STK, Recovery: a.Recovery, Log: a.Log,
		Utility: a.Config.Utility, USSDCode: a.Config.USSDCode, OnMessages: a.Delivery.Wake, ISP: a.ISP,
		// Production runs behind https (Daraja calls only https URLs), where
		// the cookie must be Secure; the demo and tests run on plain http.
		Cookies: login.Cookies{Secure: !strings.HasPrefix(a.Config.PublicURL, "http://")}}
	h.Routes(a.Mux)
}
