package app

import (
	"context"
	"strings"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/sts"

	"github.com/mteja/mteja/internal/console"
	"github.com/mteja/mteja/internal/staff"
)

// console serves the staff console under /staff/.
func (a *App) console() error {
	svc, err := staff.NewService(a.DB, a.Config.Utility, []byte(a.Config.SealKey))
	if err != nil {
		return err
	}
	a.Staff = svc
	h := &console.Handler{DB: a.DB, Staff: svc, Log: a.Log, Utility: a.Config.Utility,
		Secure: strings.HasPrefix(a.Config.PublicURL, "https://"),
		Services: console.Services{OnMessages: a.Delivery.Wake, Desk: a.Desk, OnReceived: a.Intake.Wake, Decode: a.decode,
			Routes: a.Delivery.RouteStatus, ISP: a.ISP, Charter: a.Charter, OnOutage: a.WakeOutages}}
	if a.Portal != nil {
		// A hub attendant's assisted session is a customer's portal session
		// held beside their own staff session: the console opens it, the
		// portal serves it while the console vouches for its holder.
		h.Services.Login, h.Services.Customers = a.Portal.Login, a.Portal.Cookies
		a.Portal.Assisted = h.Assistant
	}
	h.Routes(a.Mux)
	return nil
}

// decode reads a token as meter drn would, with its decoder key from the
// vending key.
func (a *App) decode(ctx context.Context, drn string, t sts.Token) (sts.Decoded, error) {
	m, err := customer.GetMeter(ctx, a.DB.Read(), drn)
	if err != nil {
		return sts.Decoded{}, err
	}
	sm, err := m.STS()
	if err != nil {
		return sts.Decoded{}, err
	}
	key, err := a.keys.DecoderKey(sm)
	if err != nil {
		return sts.Decoded{}, err
	}
	return sts.Decode(t, key)
}
