package outreach

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// twoVersions is the sample tariff with a second version from date, whose
// fuel cost is fuel KES a kWh.
func twoVersions(name, date, fuel string) string {
	return `name: ` + name + `
currency: KES
versions:
  - effective_from: 2023-04-01
    energy_blocks:
      - up_to_kwh: 30
        rate: 12.2200
      - up_to_kwh: 100
        rate: 16.5400
      - rate: 19.0800
    fixed_monthly_charge: 0.00
    pass_through_per_kwh:
      fuel_energy_cost: 3.5900
      forex_adjustment: 1.2100
      inflation_adjustment: 0.4600
    levies:
      energy_regulator_levy_per_kwh: 0.0800
      rural_electrification_levy_pct_of_energy: 0.05
      water_resources_levy_per_kwh: 0.0125
    vat_pct: 0.16
    debt_recovery_pct: 0.25
    min_purchase: 100.00
    max_purchase: 35000.00
  - effective_from: ` + date + `
    pass_through_per_kwh:
      fuel_energy_cost: ` + fuel + `
      forex_adjustment: 1.2100
      inflation_adjustment: 0.4600
`
}

func TestTariffNotices(t *testing.T) {
	t.Parallel()
	twoNodes(t, func(t *testing.T, db, db2 *store.DB) {
		ctx := context.Background()
		b := setup(t, db, noon) // 15 June 2026, 12:00 EAT
		db2.Now = b.now
		// "soon" changes in a day and a half; "later" in nine and a half
		// days; the sample tariff has no change coming.
		// Both are stored as the operator does: the schedule in force,
		// then a file that adds the coming version.
		for _, f := range []struct{ id, date, fuel string }{{"soon", "2026-06-17", "4.5900"}, {"later", "2026-06-25", "2.5900"}} {
			if _, err := vend.ImportTariff(ctx, db, f.id, tariff.SampleYAML(), "test", false); err != nil {
				t.Fatal(err)
			}
			imp, err := vend.ImportTariff(ctx, db, f.id, []byte(twoVersions(f.id, f.date, f.fuel)), "test", false)
			if err != nil || len(imp.Change.Added) != 1 {
				t.Fatalf("import %s: %+v, %v", f.id, imp.Change, err)
			}
		}
		b.customer(t, "grace", "en", "254712000111", "254712000222")
		b.customer(t, "juma", "sw", "254722000333")
		b.customer(t, "amina", "en", "254733000555")
		b.customer(t, "otieno", "en", "254744000666")
		b.customer(t, "gone", "en", "254755000777")
		b.meter(t, "54500320905", "grace", "soon", "")
		b.meter(t, "54500320913", "grace", "soon", "") // two meters, one notice a phone
		b.meter(t, "54500320921", "juma", "soon", "")
		b.meter(t, "54500320939", "amina", "kenya-domestic-sample", "")
		b.meter(t, "54500320947", "otieno", "later", "")
		b.meter(t, "54500320954", "gone", "soon", "")
		b.exec(t, `UPDATE meters SET status = 'retired' WHERE customer_id = 'gone'`)
		b.exec(t, `INSERT INTO sms_optouts (msisdn, created_at) VALUES ('254712000222', 0)`)

		n1 := &Notices{DB: db, Quiet: notify.DefaultQuietHours, Utility: "Mteja Power"}
		n2 := &Notices{DB: db2, Quiet: notify.DefaultQuietHours, Utility: "Mteja Power"}
		if n, err := n1.Sweep(ctx); err != nil || n != 2 {
			t.Fatalf("told %d phones (%v), want 2", n, err)
		}
		for _, s := range []*Notices{n2, n1} {
			if n, err := s.Sweep(ctx); err != nil || n != 0 {
				t.Errorf("second sweep told %d (%v), want 0", n, err)
			}
		}
		ms := b.messages(t, NoticeTemplate)
		got := map[string]string{}
		for _, m := range ms {
			if _, dup := got[m.Recipient]; dup || m.Lane != notify.LaneBulk {
				t.Errorf("%s: told twice or on lane %s", m.Recipient, m.Lane)
			}
			got[m.Recipient] = m.Body
		}
		want := map[string]string{
			"254712000111": "Mteja Power: new prices from 17/06/2026. A unit (kWh) will cost KES 23.66, now KES 22.65, all charges included. KES 1,000 will buy 42.3 kWh, now 44.1.",
			"254722000333": "Mteja Power: bei mpya kuanzia 17/06/2026. Uniti (kWh) itagharimu KES 23.66, sasa KES 22.65, pamoja na ada zote. KES 1,000 itanunua kWh 42.3, sasa 44.1.",
		}
		if len(got) != len(want) {
			t.Errorf("told %v, want %d phones", got, len(want))
		}
		for p, body := range want {
			if got[p] != body {
				t.Errorf("%s got %q\nwant %q", p, got[p], body)
			}
			if len(got[p]) > smsLen {
				t.Errorf("%s: %d characters", p, len(got[p]))
			}
		}

		// The coming version reworked to another price before its date:
		// its customers are told the new price, once.
		if _, err := vend.ImportTariff(ctx, db, "soon", []byte(twoVersions("soon", "2026-06-17", "5.0000")), "test", false); err != nil {
			t.Fatal(err)
		}
		b.set(noon.Add(time.Hour))
		for _, s := range []*Notices{n1, n2} {
			if n, err := s.Sweep(ctx); err != nil || n != map[*Notices]int{n1: 2, n2: 0}[s] {
				t.Errorf("after the rework told %d (%v)", n, err)
			}
		}
		ms = b.messages(t, NoticeTemplate)
		if last := ms[len(ms)-1]; len(ms) != 4 || strings.Contains(last.Body, "KES 23.66") {
			t.Errorf("%d notices, the last %q; want 4, the last with the reworked price", len(ms), last.Body)
		}

		// Three days before "later" takes effect, its customers are told;
		// "soon" is in force by then and tells no one again.
		b.set(time.Date(2026, 6, 22, 0, 0, 0, 0, tariff.Zone))
		if n, err := n2.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("told %d phones (%v), want 1", n, err)
		}
		ms = b.messages(t, NoticeTemplate)
		last := ms[len(ms)-1]
		if last.Recipient != "254744000666" || !strings.Contains(last.Body, "from 25/06/2026") {
			t.Errorf("told %s: %q", last.Recipient, last.Body)
		}
		// Midnight is in quiet hours: the notice goes at 07:00.
		if at := b.releaseAt(t, last.ID); !at.Equal(time.Date(2026, 6, 22, 7, 0, 0, 0, tariff.Zone)) {
			t.Errorf("released at %v, want 07:00 EAT", at)
		}
	})
}

// A version that changes nothing a customer pays (only receipt wording)
// is no news.
func TestChangeOfSamePrices(t *testing.T) {
	t.Parallel()
	tf, err := tariff.Parse([]byte(twoVersions("same", "2026-06-17", "3.5900")))
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := ChangeOf("same", tf.Versions[0], tf.Versions[1]); ok {
		t.Errorf("same prices gave a change: %+v", c)
	}
}
