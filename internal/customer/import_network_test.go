package customer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// The optional feeder and transformer columns give a meter its place in
// the network, where outages are declared; without them it has none, and
// staff edit it later.
func TestImportNetworkPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedTariff(t, db)
		csv := "meter,name,phones,sgc,tariff,area,feeder,transformer\n" +
			"54500320905,John Kamau,0708374149,123456,domestic,Westlands, WL-3 ,WL-3-T7\n" +
			"04123456784,Mary Wanjiku,0722000111,123456,domestic,Kibera,,\n"
		if n, err := customer.Import(ctx, db, strings.NewReader(csv)); err != nil || n != 2 {
			t.Fatalf("Import = %d, %v", n, err)
		}
		for drn, want := range map[string][2]string{"54500320905": {"WL-3", "WL-3-T7"}, "04123456784": {"", ""}} {
			m, err := customer.GetMeter(ctx, db.Read(), drn)
			if err != nil {
				t.Fatal(err)
			}
			if m.Feeder != want[0] || m.Transformer != want[1] {
				t.Errorf("meter %s on feeder %q transformer %q; want %q %q", drn, m.Feeder, m.Transformer, want[0], want[1])
			}
		}
		r := &customer.Registry{DB: db, Audit: payment.Audit}
		feeder, transformer := "KB-1", "KB-1-T2"
		m, err := r.Edit(ctx, "staff:amina", "04123456784", customer.Edit{Feeder: &feeder, Transformer: &transformer})
		if err != nil || m.Feeder != "KB-1" || m.Transformer != "KB-1-T2" {
			t.Fatalf("edit: %+v %v", m, err)
		}
		var detail string
		if err := db.Read().QueryRow(`SELECT detail FROM audit_events WHERE action = 'meter.edit' AND subject = '04123456784'`).Scan(&detail); err != nil || !strings.Contains(detail, `feeder "" → "KB-1"`) {
			t.Errorf("audit %q %v; want the feeder change", detail, err)
		}
	})
}
