package app

import (
	"context"
	"fmt"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// DemoCustomer is one of the demo utility's customers.
type DemoCustomer struct {
	Name, Phone, Language, Meter string
}

// DemoCustomers are the sample utility's customers. Their meters use the
// demo vending key and the sample domestic tariff.
var DemoCustomers = []DemoCustomer{
	{"John Kamau", "254708374149", "en", "54500320905"},
	{"Mary Wanjiku", "254712345678", "sw", "04123456784"},
	{"Ali Hassan", "254722000111", "en", "04123456792"},
}

// SampleTariffID names the demo utility's domestic tariff.
const SampleTariffID = "domestic"

// Seed loads the sample utility into an empty database: its tariff and its
// customers with their meters, and the sample ISP (seedISP). Each does
// nothing if it is there already.
func (a *App) Seed(ctx context.Context) error {
	if err := a.seedUtility(ctx); err != nil {
		return err
	}
	if err := a.seedCare(ctx); err != nil {
		return err
	}
	return a.seedISP(ctx)
}

func (a *App) seedUtility(ctx context.Context) error {
	var n int
	if err := a.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM tariffs WHERE id = $1`, SampleTariffID).Scan(&n); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if n > 0 {
		return nil
	}
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := vend.SaveTariff(tx, SampleTariffID, tariff.SampleYAML()); err != nil {
			return err
		}
		for _, dc := range DemoCustomers {
			c := &customer.Customer{Name: dc.Name, Language: dc.Language, Phones: []string{dc.Phone}}
			if err := customer.Create(tx, c); err != nil {
				return err
			}
			m := &customer.Meter{DRN: dc.Meter, CustomerID: c.ID, SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255,
				BaseDate: 2014, Algorithm: "EA07", DKGA: "02", TariffID: SampleTariffID, Area: "Nairobi West"}
			m.Feeder, m.Transformer = demoPlace(dc.Meter)
			if err := customer.CreateMeter(tx, m); err != nil {
				return err
			}
		}
		return nil
	})
}
