package app

import (
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/hotspot"
	"github.com/mteja/mteja/internal/seal"
)

// DemoHotspotHosts are the login hosts the demo's captive page may post
// to when none are set: private addresses, and this machine, where the
// demo plays the router (/demo/hotspot).
const DemoHotspotHosts = "private,127.0.0.1,::1"

// hotspot serves the captive page of the ISP's hotspots at /hotspot/.
func (a *App) hotspot(demo bool) error {
	setting := a.Config.ISPHotspotHosts
	if setting == "" && demo {
		setting = DemoHotspotHosts
	}
	hosts, err := hotspot.ParseHosts(setting)
	if err != nil {
		return fmt.Errorf("-isp-hotspot-hosts (MTEJA_ISP_HOTSPOT_HOSTS): %w", err)
	}
	sl, err := seal.New([]byte(a.Config.SealKey))
	if err != nil {
		return fmt.Errorf("hotspot: %w", err)
	}
	h := &hotspot.Handler{DB: a.DB, ISP: a.ISP, Seal: sl, Hosts: hosts, Name: a.Config.ISPName, Log: a.Log,
		Secure: !strings.HasPrefix(a.Config.PublicURL, "http://")}
	h.Routes(a.Mux)
	return nil
}
