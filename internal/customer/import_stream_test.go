package customer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/sts"
)

// meterRows writes n valid rows with distinct meter numbers (11 digits,
// check digit computed), starting at first.
func meterRows(w io.Writer, first, n int) {
	for i := first; i < first+n; i++ {
		drn, _ := sts.WithCheckDigit(fmt.Sprintf("%010d", 1000000000+i))
		fmt.Fprintf(w, "%s,Customer %d,07%08d,123456,domestic,%d\n", drn, i, i, i%3)
	}
}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Rows are checked as they stream past, batches are written as they fill,
// and one bad row, even the very last of a file several batches long,
// leaves nothing behind: no meter, customer, phone or ledger posting.
func TestImportStreamAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedTariff(t, db)
		var b strings.Builder
		b.WriteString("meter,name,phones,sgc,tariff,debt\n")
		meterRows(&b, 0, 1200)
		good := b.String()
		first, _ := sts.WithCheckDigit("1000000000")
		for _, c := range []struct {
			name, last string
			line       int
			want       string
		}{
			{"bad last row", "54500320906,Bad Check,,123456,domestic,\n", 1202, "check digit"},
			{"repeat of a row two batches back", string(first) + ",Again,,123456,domestic,\n", 1202, "already on row 2"},
		} {
			var progress []int
			_, err := customer.ImportWith(ctx, db, strings.NewReader(good+c.last), customer.ImportOptions{Progress: func(rows, _ int) { progress = append(progress, rows) }})
			var ie *customer.ImportError
			if !errors.As(err, &ie) || ie.Bad() != 1 || ie.Rows[0].Row != c.line || !strings.Contains(ie.Rows[0].Err.Error(), c.want) {
				t.Fatalf("%s: err = %v; want line %d: %s", c.name, err, c.line, c.want)
			}
			for _, table := range []string{"meters", "customers", "customer_phones", "ledger_postings"} {
				if n := count(t, db, `SELECT count(*) FROM `+table); n != 0 {
					t.Errorf("%s: %d rows in %s after a failed import; want 0", c.name, n, table)
				}
			}
			if len(progress) < 3 || progress[len(progress)-1] != 1201 {
				t.Errorf("%s: progress %v; want a report per batch ending at 1201 rows", c.name, progress)
			}
		}
		n, err := customer.Import(ctx, db, strings.NewReader(good))
		if err != nil || n != 1200 {
			t.Fatalf("good file: %d, %v", n, err)
		}
		if m, c, p := count(t, db, `SELECT count(*) FROM meters`), count(t, db, `SELECT count(*) FROM customers`), count(t, db, `SELECT count(*) FROM customer_phones`); m != 1200 || c != 1200 || p != 1200 {
			t.Errorf("imported %d meters, %d customers, %d phones; want 1200 each", m, c, p)
		}
		// Opening debts (1 and 2 shillings on two rows of three) are booked.
		if d := count(t, db, `SELECT count(*) FROM ledger_postings WHERE kind = 'opening_debt'`); d != 2*800 {
			t.Errorf("%d opening debt postings, want %d", d, 2*800)
		}
	})
}

// Bad rows are reported with their line in the file (a quoted field may
// span lines), in line order; past the first thousand they are counted.
func TestImportErrorsLinesAndCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedTariff(t, db)
		var b strings.Builder
		b.WriteString("meter,name,phones,sgc,tariff\n")
		b.WriteString("54500320905,\"Two\nLines\",,123456,domestic\n") // lines 2-3
		b.WriteString("54500320906,Bad Check,,123456,domestic\n")      // line 4
		for i := 0; i < 1500; i++ {
			b.WriteString("1,x,,123456,nope\n")
		}
		_, err := customer.Import(ctx, db, strings.NewReader(b.String()))
		var ie *customer.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("err = %v", err)
		}
		if ie.Bad() != 1501 || len(ie.Rows) != 1000 || ie.More != 501 {
			t.Errorf("bad %d, listed %d, more %d; want 1501, 1000, 501", ie.Bad(), len(ie.Rows), ie.More)
		}
		if ie.Rows[0].Row != 4 || ie.Rows[1].Row != 5 {
			t.Errorf("first bad rows at lines %d, %d; want 4, 5", ie.Rows[0].Row, ie.Rows[1].Row)
		}
		if !strings.Contains(err.Error(), "1501 bad rows") || !strings.Contains(err.Error(), "... and 1451 more") {
			t.Errorf("message: %.300s", err)
		}
	})
}
