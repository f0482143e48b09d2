package app

import (
	"strings"

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
		Secure:   strings.HasPrefix(a.Config.PublicURL, "https://"),
		Services: console.Services{OnMessages: a.Delivery.Wake}}
	h.Routes(a.Mux)
	return nil
}
