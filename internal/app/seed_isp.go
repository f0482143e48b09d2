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

// The demo ISP: a hotspot day bundle, a monthly PPPoE line, one subscriber
// (Mary Wanjiku, a customer of the utility too) and a router on this
// machine, which radtest or radclient can play.
const (
	DemoISPUsername = "wanjiku"
	DemoISPPassword = "demo-pass"
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
	u, _, err := a.ISP.CreateSubscriber(ctx, isp.Subscriber{Username: DemoISPUsername, Name: "Mary Wanjiku", Language: "sw",
		Phones: []string{DemoCustomers[1].Phone}}, DemoISPPassword)
	if err != nil {
		return fmt.Errorf("seed isp: %w", err)
	}
	if _, err := a.ISP.Subscribe(ctx, u.ID, DemoISPPlans[0].ID, "seed"); err != nil {
		return fmt.Errorf("seed isp: %w", err)
	}
	if _, err := a.ISP.AddNAS(ctx, "demo-hotspot", netip.MustParseAddr("127.0.0.1"), DemoNASSecret, 3799, "seed"); err != nil {
		return fmt.Errorf("seed isp: %w", err)
	}
	return nil
}
