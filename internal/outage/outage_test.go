package outage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/outage"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// place is a meter of the test network.
type place struct {
	drn, area, feeder, transformer string
}

// network registers customers, each with one phone (or a shared one) and
// meters on the given places.
func network(t *testing.T, db *store.DB, owners map[string][]place, langs map[string]string) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		if _, err := vend.SaveTariff(tx, "domestic", tariff.SampleYAML()); err != nil {
			return err
		}
		for phone, ps := range owners {
			c := &customer.Customer{Name: "Customer " + phone, Language: langs[phone], Phones: []string{phone}}
			if err := customer.Create(tx, c); err != nil {
				return err
			}
			for _, p := range ps {
				if err := customer.CreateMeter(tx, &customer.Meter{DRN: p.drn, CustomerID: c.ID, SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255,
					BaseDate: 2014, Algorithm: "EA07", DKGA: "02", TariffID: "domestic", Area: p.area, Feeder: p.feeder, Transformer: p.transformer}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// notices counts the outage messages queued to each phone, by template.
func notices(t *testing.T, db *store.DB) map[string]map[string]int {
	t.Helper()
	rows, err := db.Read().Query(`SELECT recipient, template, lane FROM messages WHERE template LIKE 'outage_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var to, tpl, lane string
		if err := rows.Scan(&to, &tpl, &lane); err != nil {
			t.Fatal(err)
		}
		if lane != notify.LaneBulk {
			t.Errorf("%s to %s in lane %s; want bulk", tpl, to, lane)
		}
		if out[to] == nil {
			out[to] = map[string]int{}
		}
		out[to][tpl]++
	}
	return out
}

const (
	alice  = "254711000001" // two meters on feeder F1
	bob    = "254711000002" // one meter on F1, Swahili
	carol  = "254711000003" // a meter on F2, same area
	dan    = "254711000004" // a meter on F1, sent STOP
	eve    = "254711000005" // no meter; subscribed to Kibera
	frank  = "254711000006" // no meter; subscribed to Langata
	ginger = "254711000007" // meters on F1 and F2
)

// Each customer of an affected feeder is told exactly once per outage
// event, in their language, whatever meters share their phone, however
// often the sweep runs and on however many nodes; none outside it is.
func TestFeederOutageToldOncePerEvent(t *testing.T) {
	twoNodes(t, func(t *testing.T, db, second *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) // 12:00 EAT
		db.Now = func() time.Time { return now }
		network(t, db, map[string][]place{
			alice:  {{"01000000001", "Kibera", "F1", "T1"}, {"01000000002", "Kibera", "F1", "T2"}},
			bob:    {{"01000000003", "Kibera", "F1", "T1"}},
			carol:  {{"01000000004", "Kibera", "F2", "T3"}},
			dan:    {{"01000000005", "Kibera", "F1", "T1"}},
			ginger: {{"01000000006", "Kibera", "F1", "T2"}, {"01000000007", "Kibera", "F2", "T3"}},
		}, map[string]string{bob: "sw"})
		if _, err := db.Write().Exec(`INSERT INTO sms_optouts (msisdn, created_at) VALUES ($1, 1)`, dan); err != nil {
			t.Fatal(err)
		}
		for _, sub := range []struct{ phone, area string }{{eve, "Kibera"}, {frank, "Langata"}, {alice, "Kibera"}} {
			if err := outage.Subscribe(ctx, db, sub.phone, sub.area, "en"); err != nil {
				t.Fatal(err)
			}
		}
		o, err := outage.Declare(ctx, db, outage.Outage{Level: outage.LevelFeeder, Place: "F1", Kind: outage.KindFault, ETR: now.Add(3 * time.Hour)}, "staff:amina")
		if err != nil {
			t.Fatal(err)
		}
		if o.Area != "Kibera" {
			t.Errorf("area %q; want Kibera, found from the feeder's meters", o.Area)
		}
		// Two nodes sweep at once, then again.
		second.Now = db.Now
		sweep := func() {
			t.Helper()
			errs := make(chan error, 2)
			for _, d := range []*store.DB{db, second} {
				go func() {
					_, err := (&outage.Sweeper{DB: d, Utility: "Umeme", Quiet: notify.DefaultQuietHours}).Sweep(ctx)
					errs <- err
				}()
			}
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
		}
		sweep()
		sweep()
		if err := outage.SetETR(ctx, db, o.ID, now.Add(5*time.Hour), "staff:amina"); err != nil {
			t.Fatal(err)
		}
		sweep()
		if err := outage.Restore(ctx, db, o.ID, "staff:amina"); err != nil {
			t.Fatal(err)
		}
		sweep()
		sweep()
		got := notices(t, db)
		want := map[string]map[string]int{
			alice:  {"outage_started": 1, "outage_etr": 1, "outage_restored": 1},
			bob:    {"outage_started": 1, "outage_etr": 1, "outage_restored": 1},
			ginger: {"outage_started": 1, "outage_etr": 1, "outage_restored": 1},
			eve:    {"outage_started": 1, "outage_etr": 1, "outage_restored": 1},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("notices\n got %v\nwant %v", got, want)
		}
		var body string
		if err := db.Read().QueryRow(`SELECT body FROM messages WHERE recipient = $1 AND template = 'outage_started'`, bob).Scan(&body); err != nil {
			t.Fatal(err)
		}
		if want := "Umeme: umeme umekatika Kibera (laini F1). Unatarajiwa kurudi kufikia 02/12 15:00. Tunashughulikia."; body != want {
			t.Errorf("Swahili notice %q; want %q", body, want)
		}
	})
}

// twoNodes runs fn on every engine with two nodes' connections to one
// fresh database.
func twoNodes(t *testing.T, fn func(t *testing.T, db, second *store.DB)) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			fn(t, storetest.OpenDSN(t, dsn), storetest.OpenDSN(t, dsn))
		})
	}
}

// Customers hear of a delivery incident in the status answer; a database
// incident (a transaction held open) is for staff, and says nothing to
// customers while tokens still go out.
func TestStatusIncidentIsDeliveryOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		open := func(kind string) {
			t.Helper()
			if _, err := db.Write().ExecContext(ctx, `INSERT INTO system_incidents (id, kind, opened_at, detail) VALUES ($1, $2, $3, 'x')`,
				kind, kind, store.Micros(now)); err != nil {
				t.Fatal(err)
			}
		}
		open(notify.KindDatabaseHeld)
		st, err := outage.Current(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		if st.TokenSMS.Incident {
			t.Errorf("token SMS shown to customers as in incident while only the database's is open")
		}
		open(notify.KindRouteSilent + "smpp")
		if st, err = outage.Current(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		if !st.TokenSMS.Incident {
			t.Errorf("token SMS not shown as in incident while a route is silent")
		}
	})
}
