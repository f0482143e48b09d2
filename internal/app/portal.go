package app

import (
	"strings"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/portal"
)

// portal serves the customer web portal, with login by SMS code.
func (a *App) portal() {
	// The ISP's subscribers log in with their phones too.
	svc := &login.Service{DB: a.DB, Utility: a.Config.Utility, OnMessages: a.Delivery.Wake, Others: isp.PhoneLanguage}
	h := &portal.Handler{DB: a.DB, Desk: a.Desk, Login: svc, STK: a.STK, ISP: a.ISP, Recovery: a.Recovery, Log: a.Log,
		Utility: a.Config.Utility, USSDCode: a.Config.USSDCode, OnMessages: a.Delivery.Wake, Charter: a.Charter,
		// Production runs behind https (Daraja calls only https URLs), where
		// the cookie must be Secure; the demo and tests run on plain http.
		Cookies: login.Cookies{Secure: !strings.HasPrefix(a.Config.PublicURL, "http://")}}
	h.Routes(a.Mux)
	a.Portal = h
}
