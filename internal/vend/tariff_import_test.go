package vend_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func storedSource(t *testing.T, db *store.DB, id string) string {
	t.Helper()
	var src string
	if err := db.Read().QueryRow(`SELECT source FROM tariffs WHERE id = $1`, id).Scan(&src); err != nil {
		t.Fatalf("tariff %s: %v", id, err)
	}
	return src
}

// Importing a tariff stores a new tariff, then new dated versions of it,
// each with an audit event; a dry run and a refused file store nothing;
// every problem is reported at its line.
func TestImportTariff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2024, 6, 15, 9, 0, 0, 0, tariff.Zone) }
		sample, versions := readFile(t, "kenya-domestic-sample.yaml"), readFile(t, "kenya-domestic-versions.yaml")

		bad := strings.NewReplacer("rate: 12.2200", "rate: 12,22", "vat_pct: 0.16", "vat_pct: 16", "min_purchase: 100.00", "min_purchase: ten").Replace(string(sample))
		_, err := vend.ImportTariff(ctx, db, "domestic", []byte(bad), "cli:ops", false)
		var fe *tariff.FileError
		if !errors.As(err, &fe) || len(fe.Problems) != 3 || fe.Problems[0].Line != 11 || fe.Problems[1].Line != 24 || fe.Problems[2].Line != 26 {
			t.Fatalf("a file with three mistakes: %v; want them at lines 11, 24 and 26", err)
		}
		var n int
		db.Read().QueryRow(`SELECT count(*) FROM tariffs`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d tariffs stored from a bad file", n)
		}

		imp, err := vend.ImportTariff(ctx, db, "domestic", sample, "cli:ops", false)
		if err != nil || !imp.Stored || !imp.Change.New {
			t.Fatalf("import of a new tariff = %+v, %v", imp, err)
		}
		checkAudit(t, db, "domestic", "cli:ops", "tariff.import", "new tariff, versions from 2023-04-01")

		// A dry run says what a second version would do, and stores nothing.
		imp, err = vend.ImportTariff(ctx, db, "domestic", versions, "cli:ops", true)
		if err != nil || imp.Stored || len(imp.Change.Added) != 1 || imp.Change.InForce == nil || imp.Change.InForce.EffectiveFrom.Format("2006-01-02") != "2023-04-01" {
			t.Fatalf("dry run = %+v, %v", imp, err)
		}
		if storedSource(t, db, "domestic") != string(sample) {
			t.Fatal("a dry run changed the stored tariff")
		}

		imp, err = vend.ImportTariff(ctx, db, "domestic", versions, "cli:ops", false)
		if err != nil || !imp.Stored {
			t.Fatalf("import of a future version = %+v, %v", imp, err)
		}
		got, err := (&vend.Tariffs{DB: db}).Get(ctx, db.Read(), "domestic")
		if err != nil || len(got.Versions) != 2 {
			t.Fatalf("stored tariff = %+v, %v", got, err)
		}
		checkAudit(t, db, "domestic", "cli:ops", "tariff.import", "added versions from 2024-07-01; receipt wording changed")
		if imp, err := vend.ImportTariff(ctx, db, "domestic", versions, "cli:ops", false); err != nil || imp.Stored || !imp.Change.Empty() {
			t.Fatalf("the same file again = %+v, %v; want nothing stored", imp, err)
		}

		// Once July has come, its figures are fixed.
		db.Now = func() time.Time { return time.Date(2024, 7, 2, 9, 0, 0, 0, tariff.Zone) }
		changed := strings.Replace(string(versions), "fuel_energy_cost: 2.7800", "fuel_energy_cost: 2.9000", 1)
		_, err = vend.ImportTariff(ctx, db, "domestic", []byte(changed), "cli:ops", false)
		if !errors.As(err, &fe) || len(fe.Problems) != 1 || fe.Problems[0].Line != 28 || !strings.Contains(err.Error(), "the version from 2024-07-01 has been in force") {
			t.Fatalf("a change to the version in force: %v", err)
		}
		if storedSource(t, db, "domestic") != string(versions) {
			t.Fatal("a refused change was stored")
		}
		if _, err := vend.ImportTariff(ctx, db, "Domestic Tariff", sample, "cli:ops", false); err == nil || !strings.Contains(err.Error(), "lower-case") {
			t.Errorf("an id with spaces: %v", err)
		}
	})
}

func checkAudit(t *testing.T, db *store.DB, subject, actor, action, detail string) {
	t.Helper()
	var a, act, d string
	err := db.Read().QueryRow(`SELECT actor, action, detail FROM audit_events WHERE subject = $1 ORDER BY at DESC, id DESC LIMIT 1`, subject).Scan(&a, &act, &d)
	if err != nil || a != actor || act != action || d != detail {
		t.Errorf("audit event for %s: %s %s %q (%v); want %s %s %q", subject, a, act, d, err, actor, action, detail)
	}
}

// A previewed import stores the file only onto the stored tariff its dry
// run was judged against: another import in between refuses it, and
// nothing is stored.
func TestImportPreviewed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2024, 6, 15, 9, 0, 0, 0, tariff.Zone) }
		sample, versions := readFile(t, "kenya-domestic-sample.yaml"), readFile(t, "kenya-domestic-versions.yaml")

		dry, err := vend.ImportTariff(ctx, db, "domestic", sample, "staff:ops", true)
		if err != nil || dry.Basis != "" {
			t.Fatalf("dry run of a new tariff = %+v, %v; want no basis", dry, err)
		}
		if imp, err := vend.ImportPreviewed(ctx, db, "domestic", sample, "staff:ops", dry.Basis); err != nil || !imp.Stored {
			t.Fatalf("previewed import of a new tariff = %+v, %v", imp, err)
		}
		if _, err := vend.ImportPreviewed(ctx, db, "domestic", versions, "staff:ops", dry.Basis); !errors.Is(err, vend.ErrTariffChanged) {
			t.Fatalf("a preview made before the tariff existed: %v; want ErrTariffChanged", err)
		}

		dry, err = vend.ImportTariff(ctx, db, "domestic", versions, "staff:ops", true)
		if err != nil || dry.Basis != vend.SourceBasis(string(sample)) {
			t.Fatalf("dry run = %+v, %v; want the stored sample as its basis", dry, err)
		}
		// Someone else imports a reworked July first.
		other := strings.Replace(string(versions), "fuel_energy_cost: 2.7800", "fuel_energy_cost: 2.9000", 1)
		if _, err := vend.ImportTariff(ctx, db, "domestic", []byte(other), "staff:other", false); err != nil {
			t.Fatal(err)
		}
		if _, err := vend.ImportPreviewed(ctx, db, "domestic", versions, "staff:ops", dry.Basis); !errors.Is(err, vend.ErrTariffChanged) {
			t.Fatalf("a preview overtaken by another import: %v; want ErrTariffChanged", err)
		}
		if storedSource(t, db, "domestic") != other {
			t.Fatal("a refused previewed import was stored")
		}
	})
}
