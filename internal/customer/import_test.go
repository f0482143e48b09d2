package customer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func seedTariff(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO tariffs (id, currency, source, created_at, updated_at) VALUES ('domestic', 'KES', '', 0, 0)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestImportAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedTariff(t, db)
		bad := "meter,name,phones,sgc,tariff,debt\n" +
			"54500320905,John Kamau,0708374149,123456,domestic,\n" +
			"54500320906,Bad Check,0708374149,123456,domestic,\n" + // wrong check digit
			"04123456784,No Tariff,,123456,nope,\n" +
			"04123456792,Bad Phone,07x,123456,domestic,\n" +
			"545 0032 0905,Dup,,123456,domestic,\n" +
			"01010101010,Bad debt,,123456,domestic,-5\n"
		_, err := customer.Import(ctx, db, strings.NewReader(bad))
		var ie *customer.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("err = %v; want ImportError", err)
		}
		if len(ie.Rows) != 5 {
			t.Fatalf("bad rows = %v; want 5", ie.Rows)
		}
		for i, want := range []int{3, 4, 5, 6, 7} {
			if ie.Rows[i].Row != want {
				t.Errorf("bad row %d is line %d; want %d (%v)", i, ie.Rows[i].Row, want, ie.Rows[i].Err)
			}
		}
		var n int
		db.Read().QueryRow(`SELECT count(*) FROM meters`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d meters imported from a file with bad rows; want 0", n)
		}
		good := "meter,name,phones,language,sgc,tariff,debt,area\n" +
			"54500320905,John Kamau,0708374149;+254 712 345 678,en,123456,domestic,150.50,Westlands\n" +
			"04123456784,Mary Wanjiku,0722000111,sw,123456,domestic,,Kibera\n"
		got, err := customer.Import(ctx, db, strings.NewReader(good))
		if err != nil || got != 2 {
			t.Fatalf("Import = %d, %v", got, err)
		}
		ms, _ := customer.MetersForPhone(ctx, db.Read(), "254712345678")
		if len(ms) != 1 || ms[0].DRN != "54500320905" || ms[0].Debt != 15050 || ms[0].Area != "Westlands" {
			t.Fatalf("meters for phone = %+v", ms)
		}
		// Importing the same meter again is refused, naming the row.
		_, err = customer.Import(ctx, db, strings.NewReader("meter,sgc,tariff\n54500320905,123456,domestic\n"))
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "already registered") {
			t.Fatalf("re-import: %v", err)
		}
		if _, err := customer.Import(ctx, db, strings.NewReader("meter,colour\n1,red\n")); err == nil || !strings.Contains(err.Error(), "colour") {
			t.Fatalf("unknown column: %v", err)
		}
	})
}
