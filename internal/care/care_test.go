package care_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestFaultReportIsIdempotentForAWhile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := care.ReportFault(ctx, db, "254708374149", "54500320905", care.FaultNoPower, "")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := care.ReportFault(ctx, db, "254708374149", "54500320905", care.FaultNoPower, "")
		if a.Ref != b.Ref || len(a.Ref) != 8 {
			t.Fatalf("refs %q, %q; want the same F-XXXXXX twice", a.Ref, b.Ref)
		}
		c, _ := care.ReportFault(ctx, db, "254708374149", "54500320905", care.FaultTokenRejected, "says Reject")
		if c.Ref == a.Ref {
			t.Fatal("another kind of fault got the same reference")
		}
		if _, err := care.ReportFault(ctx, db, "254708374149", "", "flood", ""); err == nil {
			t.Fatal("unknown fault kind accepted")
		}
		fs, _ := care.Faults(ctx, db, "254708374149", 10)
		if len(fs) != 2 {
			t.Fatalf("faults = %d; want 2", len(fs))
		}
	})
}

func TestOutagesInForce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		o, err := care.AnnounceOutage(ctx, db, care.Outage{Area: "Kibera", Message: "Transformer fault; crews on site", MessageSW: "Hitilafu ya transfoma", EndsAt: now.Add(2 * time.Hour)}, "eng:joe")
		if err != nil {
			t.Fatal(err)
		}
		care.AnnounceOutage(ctx, db, care.Outage{Area: "Kibera", Kind: "planned", Message: "Maintenance next week", StartsAt: now.Add(7 * 24 * time.Hour)}, "eng:joe")
		got, _ := care.CurrentOutages(ctx, db, "Kibera", now)
		if len(got) != 1 || got[0].Text("sw") != "Hitilafu ya transfoma" {
			t.Fatalf("outages = %+v", got)
		}
		care.Restore(ctx, db, o.ID)
		got, _ = care.CurrentOutages(ctx, db, "Kibera", now)
		if len(got) != 0 {
			t.Fatalf("restored outage still shown: %+v", got)
		}
	})
}
