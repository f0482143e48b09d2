package app

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// The demo ISP: a hotspot day bundle, a monthly PPPoE line, a five-minute
// bundle to watch one end, three subscribers (Mary Wanjiku, John Kamau and,
// on the monthly line, Ali Hassan, customers of the utility too) and a
// router on this machine, which radtest or radclient can play.
const (
	DemoISPUsername = "wanjiku"
	DemoISPPassword = "demo-pass"
	// DemoShortUsername is on the five-minute bundle: the demo's story of
	// an end, the walled garden and a payment that brings the user back.
	DemoShortUsername = "kamau"
	// DemoHomeUsername is on the monthly line: the demo's story of an
	// invoice, paid by M-Pesa and signed by a simulated eTIMS unit.
	DemoHomeUsername = "hassan"
	// DemoNASSecret is the shared secret of the demo router at 127.0.0.1:
	// printed here and by the demo, for test tools only.
	DemoNASSecret = "mteja-demo-radius-secret"
)

// DemoISPPlans are the demo ISP's plans.
var DemoISPPlans = []isp.Plan{
	{ID: "hotspot-day", Name: "Hotspot day 2 GB", Kind: isp.Hotspot, Billing: isp.Bundle, Price: money.MustFromMajor(50), Duration: 24 * time.Hour,
		Data: 2 * isp.GB, Rate: isp.RateLimit{Rx: 2_000_000, Tx: 5_000_000, BurstRx: 4_000_000, BurstTx: 10_000_000, ThresholdRx: 1_500_000,
			ThresholdTx: 4_000_000, BurstTime: 10 * time.Second}, SharedUsers: 1, Active: true},
	{ID: "home-10", Name: "Home 10 Mbps", Kind: isp.PPPoE, Billing: isp.Monthly, Price: money.MustFromMajor(2500),
		Rate: isp.RateLimit{Rx: 10_000_000, Tx: 10_000_000}, SharedUsers: 5, FairUseAfter: 300 * isp.GB,
		FairUseRate: isp.RateLimit{Rx: 2_000_000, Tx: 2_000_000}, Grace: 3 * 24 * time.Hour, Active: true},
	{ID: "hotspot-5min", Name: "Hotspot 5 minutes", Kind: isp.Hotspot, Billing: isp.Bundle, Price: money.MustFromMajor(5), Duration: 5 * time.Minute,
		Data: 100 * isp.MB, Rate: isp.RateLimit{Rx: 1_000_000, Tx: 2_000_000}, SharedUsers: 1, Active: true},
}

// seedISP loads the demo ISP. It does nothing if its first plan exists,
// or on an App built by hand with a database only.
func (a *App) seedISP(ctx context.Context) error {
	if a.ISP == nil {
		return nil
	}
	_, err := a.ISP.GetPlan(ctx, DemoISPPlans[0].ID)
	if err == nil {
		return nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("seed isp: %w", err)
	}
	for _, p := range DemoISPPlans {
		if err := a.ISP.SavePlan(ctx, p); err != nil {
			return fmt.Errorf("seed isp: %w", err)
		}
	}
	for _, s := range []struct {
		sub  isp.Subscriber
		plan string
	}{
		{isp.Subscriber{Username: DemoISPUsername, Name: DemoCustomers[1].Name, Language: "sw", Phones: []string{DemoCustomers[1].Phone}}, DemoISPPlans[0].ID},
		{isp.Subscriber{Username: DemoShortUsername, Name: DemoCustomers[0].Name, Language: "en", Phones: []string{DemoCustomers[0].Phone}}, DemoISPPlans[2].ID},
		{isp.Subscriber{Username: DemoHomeUsername, Name: DemoCustomers[2].Name, Language: "en", Phones: []string{DemoCustomers[2].Phone}}, DemoISPPlans[1].ID},
	} {
		u, _, err := a.ISP.CreateSubscriber(ctx, s.sub, DemoISPPassword)
		if err != nil {
			return fmt.Errorf("seed isp: %w", err)
		}
		if _, err := a.ISP.Subscribe(ctx, u.ID, s.plan, "seed"); err != nil {
			return fmt.Errorf("seed isp: %w", err)
		}
	}
	if _, err := a.ISP.AddNAS(ctx, "demo-hotspot", netip.MustParseAddr("127.0.0.1"), DemoNASSecret, 3799, "seed"); err != nil {
		return fmt.Errorf("seed isp: %w", err)
	}
	return nil
}
