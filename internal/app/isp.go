package app

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
)

// DemoISPShortCode is the demo ISP's Paybill, when none is configured.
const DemoISPShortCode = "600100"

// DemoISPPIN is the demo ISP's KRA PIN on its invoices: made up (all
// zeros), for the demo only.
const DemoISPPIN = "P000000000D"

// buildISP makes the ISP's billing, after the utility's Daraja client and
// STK. Payments to the ISP's short codes are routed to it by intake; it
// runs whether or not any are configured (vouchers and RADIUS need no
// M-Pesa). It pushes STK prompts through Daraja as its own short code.
func (a *App) buildISP() error {
	cfg := a.Config
	c := isp.Config{Name: cfg.ISPName, ShortCodes: cfg.ISPShortCodes, WalledGarden: cfg.ISPWalledGarden, Interim: cfg.ISPInterim, Log: a.Log,
		OnMessages: a.Delivery.Wake, PIN: cfg.ISPPIN, InvoiceLead: time.Duration(cfg.ISPInvoiceDays) * 24 * time.Hour}
	if a.ISPSim != nil {
		// The demo's invoices carry a made-up PIN and are signed by a
		// simulated control unit. A real deployment has no signer until
		// eTIMS is connected: its invoices wait, "awaiting signature".
		if c.PIN == "" {
			c.PIN = DemoISPPIN
		}
		c.Signer = &isp.SimulatedUnit{Serial: "SIM-CU-DEMO-0001", Key: []byte("demo control unit: " + cfg.SealKey)}
	}
	if len(cfg.ISPShortCodes) > 0 && a.STK != nil {
		key, secret, passkey, url := cfg.ISPKey, cfg.ISPSecret, cfg.ISPPasskey, cfg.DarajaURL
		if key == "" {
			key, secret = cfg.DarajaKey, cfg.DarajaConsumerSecret
		}
		if passkey == "" {
			passkey = cfg.DarajaPasskey
		}
		if a.ISPSim != nil {
			url, passkey = cfg.PublicURL+"/sim/daraja-isp", a.ISPSim.Passkey()
		}
		a.ispDaraja = &mpesa.Client{BaseURL: url, ConsumerKey: key, ConsumerSecret: secret, ShortCode: cfg.ISPShortCodes[0], Passkey: passkey}
		c.STK, c.Daraja = a.STK, a.ispDaraja
	}
	// A wrong tax file stops start-up: invoices at wrong rates are
	// worse than none.
	taxes, err := isp.LoadTaxes(cfg.TaxFile)
	if err != nil {
		return fmt.Errorf("isp: -tax-file: %w", err)
	}
	c.Taxes = taxes
	svc, err := isp.New(a.DB, []byte(cfg.SealKey), c)
	if err != nil {
		return fmt.Errorf("isp: %w", err)
	}
	a.ISP = svc
	a.Intake.Services = map[string]string{}
	for _, sc := range cfg.ISPShortCodes {
		a.Intake.Services[sc] = payment.Internet
	}
	return nil
}

// demoISPSim stands in for M-Pesa as the ISP's short code, beside the
// utility's simulator.
func (a *App) demoISPSim() {
	a.ISPSim = mpesa.NewSimulator(mpesa.SimConfig{ShortCode: a.Config.ISPShortCodes[0], ConsumerKey: "demo", ConsumerSecret: "demo",
		OrganisationName: a.Config.ISPName, STKDelay: 2 * time.Second, MSISDNForm: mpesa.MSISDNHashed, Logger: a.Log})
	a.Mux.Handle("/sim/daraja-isp/", http.StripPrefix("/sim/daraja-isp", a.ISPSim))
	a.Config.ISPKey, a.Config.ISPSecret = "demo", "demo"
}

// registerISPSim registers the callback URLs with the ISP's simulator, as
// an ISP registers them with Daraja for its short code: the same URLs,
// which tell the two apart by the short code paid. The ISP's client calls
// as the utility's does (a test's proxy may have set how).
func (a *App) registerISPSim(ctx context.Context) error {
	if a.ISPSim == nil || a.ispDaraja == nil {
		return nil
	}
	a.ispDaraja.HTTP = a.Daraja.HTTP
	if _, err := a.ispDaraja.RegisterC2BURLs(ctx, a.CallbackURL("c2b/confirmation"), a.CallbackURL("c2b/validation"), "Completed"); err != nil {
		return fmt.Errorf("register C2B URLs with the ISP's simulator: %w", err)
	}
	return nil
}
