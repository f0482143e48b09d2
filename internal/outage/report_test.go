package outage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/outage"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

const (
	p1 = "254722000001"
	p2 = "254722000002"
	p3 = "254722000003"
	p4 = "254722000004"
)

func feederF1(t *testing.T, db *store.DB) {
	network(t, db, map[string][]place{
		p1: {{"02000000001", "Kibera", "F1", "T1"}},
		p2: {{"02000000002", "Kibera", "F1", "T1"}},
		p3: {{"02000000003", "Kibera", "F1", "T1"}},
		p4: {{"02000000004", "Kibera", "F1", "T2"}},
	}, map[string]string{p2: "sw"})
}

// Reports from three phones on one transformer within the window become
// one suspected outage there; a repeat from one phone does not count
// twice; confirmed, it texts that transformer's customers only, and a
// later report is told it is known. A dismissed one tells nobody.
func TestReportsBecomeSuspectedOutage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		feederF1(t, db)
		g := outage.Grouping{Window: 15 * time.Minute, Reports: 3}
		report := func(phone, drn string) outage.Report {
			t.Helper()
			now = now.Add(time.Minute)
			r, err := outage.ReportNoPower(ctx, db, g, phone, drn, "ussd")
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		// An old report falls out of the window.
		report(p3, "02000000003")
		now = now.Add(20 * time.Minute)
		for _, r := range []outage.Report{report(p1, "02000000001"), report(p1, "02000000001"), report(p2, "02000000002"), report(p4, "02000000004")} {
			if r.Suspected.ID != "" {
				t.Fatalf("suspected outage %+v before three phones on one place reported", r.Suspected)
			}
		}
		r := report(p3, "02000000003")
		s := r.Suspected
		if s.ID == "" || s.Level != outage.LevelTransformer || s.Place != "T1" || s.State != outage.StateSuspected || s.Reports != 4 {
			t.Fatalf("suspected %+v; want one on transformer T1 with the 4 reports of the window", s)
		}
		if _, err := (&outage.Sweeper{DB: db}).Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if n := notices(t, db); len(n) != 0 {
			t.Fatalf("a suspected outage told %v; want no one until confirmed", n)
		}
		if err := outage.Confirm(ctx, db, s.ID, "staff:amina"); err != nil {
			t.Fatal(err)
		}
		if err := outage.Confirm(ctx, db, s.ID, "staff:amina"); err == nil {
			t.Error("confirmed twice")
		}
		if _, err := (&outage.Sweeper{DB: db}).Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		got := notices(t, db)
		if len(got) != 3 || got[p1]["outage_started"] != 1 || got[p2]["outage_started"] != 1 || got[p3]["outage_started"] != 1 {
			t.Errorf("notices %v; want one started notice to each of T1's three phones", got)
		}
		if r := report(p1, "02000000001"); r.Known.ID != s.ID {
			t.Errorf("report after confirmation: %+v; want it known as %s", r, s.ID)
		}
		// Three reports on T2 (one phone there, three times) suspect nothing.
		for range 3 {
			if r := report(p4, "02000000004"); r.Suspected.ID != "" {
				t.Fatalf("one phone alone made a suspected outage")
			}
		}
		// Where one report is enough, it is suspected; dismissed, no one
		// is told, and it cannot be dismissed or confirmed again.
		g.Reports = 1
		d := report(p4, "02000000004").Suspected
		if d.ID == "" || d.Place != "T2" {
			t.Fatalf("suspected %+v; want one on T2", d)
		}
		if err := outage.Dismiss(ctx, db, d.ID, "staff:amina"); err != nil {
			t.Fatal(err)
		}
		for _, again := range []func(context.Context, *store.DB, string, string) error{outage.Dismiss, outage.Confirm} {
			if err := again(ctx, db, d.ID, "staff:amina"); !errors.Is(err, outage.ErrInvalid) {
				t.Errorf("acting on a dismissed outage: %v; want ErrInvalid", err)
			}
		}
		if _, err := (&outage.Sweeper{DB: db}).Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if got := notices(t, db)[p4]; len(got) != 0 {
			t.Errorf("a dismissed outage told p4 %v", got)
		}
	})
}

// A restoration notice asks "reply 1 if you still have no power": the
// answers open tickets and, from three homes on one transformer, find the
// outage nested under the restored feeder. A digit after a newer survey
// question is the survey's.
func TestRestorationCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		feederF1(t, db)
		o, err := outage.Declare(ctx, db, outage.Outage{Level: outage.LevelFeeder, Place: "F1"}, "staff:amina")
		if err != nil {
			t.Fatal(err)
		}
		sw := &outage.Sweeper{DB: db, Quiet: notify.DefaultQuietHours}
		if _, err := sw.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		c := &outage.Check{DB: db, Desk: &care.Desk{DB: db}}
		if _, _, ok, err := c.Reply(ctx, p1, "1"); err != nil || ok {
			t.Fatalf("a 1 before any restoration: taken %v (%v); want it left for others", ok, err)
		}
		now = now.Add(time.Hour)
		if err := outage.Restore(ctx, db, o.ID, "staff:amina"); err != nil {
			t.Fatal(err)
		}
		if _, err := sw.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{p1, p2, p3} {
			now = now.Add(time.Minute)
			reply, _, ok, err := c.Reply(ctx, p, "1")
			if err != nil || !ok || reply != "" {
				t.Fatalf("%s replied 1: %q %v %v; want a ticket, acknowledged by the desk", p, reply, ok, err)
			}
		}
		if reply, lang, ok, err := c.Reply(ctx, p2, "1"); err != nil || !ok || lang != "sw" || reply != "Samahani: bado huna umeme. Tunajua na tunashughulikia." {
			t.Errorf("repeat: %q %q %v %v", reply, lang, ok, err)
		}
		var tickets int
		if err := db.Read().QueryRow(`SELECT count(*) FROM tickets WHERE category = 'outage'`).Scan(&tickets); err != nil {
			t.Fatal(err)
		}
		if tickets != 3 {
			t.Errorf("%d outage tickets; want 3", tickets)
		}
		list, err := outage.List(ctx, db, now.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var nested []outage.Outage
		for _, x := range list {
			if x.State == outage.StateSuspected {
				nested = append(nested, x)
			}
		}
		if len(nested) != 1 || nested[0].Place != "T1" || nested[0].Level != outage.LevelTransformer {
			t.Errorf("suspected %+v; want the nested outage on transformer T1", nested)
		}
		// p4 was then asked a survey question: its digit is the survey's.
		if _, err := db.Write().Exec(`INSERT INTO surveys (id, kind, msisdn, asked_at) VALUES ('s1', 'nps', $1, $2)`, p4, store.Micros(now)); err != nil {
			t.Fatal(err)
		}
		if _, _, ok, err := c.Reply(ctx, p4, "1"); err != nil || ok {
			t.Errorf("a 1 after a newer survey question: taken %v (%v); want it left for the survey", ok, err)
		}
	})
}

// STATUS answers with the outages of an area, planned work and token
// delivery, within one USSD screen however many outages there are.
func TestStatusText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		feederF1(t, db)
		if _, err := outage.Declare(ctx, db, outage.Outage{Level: outage.LevelFeeder, Place: "F1", ETR: now.Add(2 * time.Hour)}, "staff:amina"); err != nil {
			t.Fatal(err)
		}
		if _, err := outage.Declare(ctx, db, outage.Outage{Level: outage.LevelTransformer, Place: "T2", Kind: outage.KindPlanned, StartsAt: now.Add(30 * time.Hour)}, "staff:amina"); err != nil {
			t.Fatal(err)
		}
		st, err := outage.Current(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		// The portal's and the app's outage lists show words written for it.
		listed, err := care.CurrentOutages(ctx, db, "Kibera", now)
		if err != nil || len(listed) != 1 || listed[0].Text("sw") != "Umeme umekatika Kibera (laini F1)." || listed[0].Text("en") != "Power is off in Kibera (feeder F1)." {
			t.Errorf("care's list %+v %v", listed, err)
		}
		for _, c := range []struct{ lang, area, want string }{
			{"en", "kibera", "Off: Kibera (feeder F1) back by 02/12 14:00. Planned: Kibera (transformer T2) 03/12 18:00. Token SMS: normal."},
			{"sw", "Kibera", "Umekatika: Kibera (laini F1) kurudi 02/12 14:00. Imepangwa: Kibera (transfoma T2) 03/12 18:00. SMS za tokeni: kawaida."},
			{"en", "Langata", "No known outage in Langata. Token SMS: normal."},
		} {
			if got := st.Text(c.lang, c.area); got != c.want {
				t.Errorf("%s %s:\n got %q\nwant %q", c.lang, c.area, got, c.want)
			}
		}
		for i := range 20 {
			if _, err := outage.Declare(ctx, db, outage.Outage{Level: outage.LevelArea, Place: fmt.Sprintf("Area %d", i)}, "staff:amina"); err != nil {
				t.Fatal(err)
			}
		}
		if st, err = outage.Current(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"en", "sw"} {
			if got := st.Text(lang, ""); len(got) > 182 || !strings.HasSuffix(got, "kawaida.") && !strings.HasSuffix(got, "normal.") {
				t.Errorf("%d characters: %q; want at most 182, ending with token delivery", len(got), got)
			}
		}
	})
}
