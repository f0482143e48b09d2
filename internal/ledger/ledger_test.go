package ledger_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestPostAndCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return ledger.Post(tx,
				ledger.Transfer("t1", "payment", "p1", ledger.MpesaClearing, ledger.CustomerCredit, 50000),
				ledger.Txn{ID: "t2", Kind: "vend", Ref: "v1", Postings: []ledger.Posting{
					{Account: ledger.CustomerCredit, Amount: 50000},
					{Account: ledger.EnergyRevenue, Amount: -43103},
					{Account: ledger.VATPayable, Amount: -6897},
				}})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.Check(ctx, db.Read()); err != nil {
			t.Fatal(err)
		}
		bal, err := ledger.Balances(ctx, db.Read())
		if err != nil {
			t.Fatal(err)
		}
		if bal[ledger.MpesaClearing] != 50000 || bal[ledger.CustomerCredit] != 0 || bal[ledger.VATPayable] != -6897 {
			t.Fatalf("balances = %v", bal)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return ledger.Post(tx, ledger.Txn{ID: "t3", Kind: "x", Ref: "y", Postings: []ledger.Posting{{Account: ledger.Suspense, Amount: 1}}})
		})
		if !errors.Is(err, ledger.ErrUnbalanced) {
			t.Fatalf("unbalanced post: %v", err)
		}
		// A row written behind the ledger's back is caught by Check.
		db.Write().Exec(`INSERT INTO ledger_postings (txn_id, kind, ref, account, amount, created_at) VALUES ('t9','x','y','a',5,0)`)
		if err := ledger.Check(ctx, db.Read()); !errors.Is(err, ledger.ErrUnbalanced) {
			t.Fatalf("Check after tamper = %v", err)
		}
	})
}

func TestJournal(t *testing.T) {
	sale := func(id string, paid, energy, vat money.Amount) ledger.Txn {
		return ledger.Txn{ID: id, Kind: "vend", Ref: id, Postings: []ledger.Posting{
			{Account: ledger.CustomerCredit, Amount: paid},
			{Account: ledger.EnergyRevenue, Amount: -energy},
			{Account: ledger.VATPayable, Amount: -vat},
		}}
	}
	j, err := ledger.Journal("vends:a", "vends", "a", sale("a", 50000, 43103, 6897), sale("b", 11600, 10000, 1600),
		ledger.Transfer("c", "x", "c", ledger.DebtReceivable, ledger.FixedRevenue, 700))
	if err != nil {
		t.Fatal(err)
	}
	want := []ledger.Posting{
		{Account: ledger.CustomerCredit, Amount: 61600},
		{Account: ledger.EnergyRevenue, Amount: -53103},
		{Account: ledger.VATPayable, Amount: -8497},
		{Account: ledger.DebtReceivable, Amount: 700},
		{Account: ledger.FixedRevenue, Amount: -700},
	}
	if j.ID != "vends:a" || j.Kind != "vends" || j.Ref != "a" || !slices.Equal(j.Postings, want) {
		t.Fatalf("journal = %+v, want postings %v", j, want)
	}
	if err := j.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := sale("d", 100, 90, 9)
	if _, err := ledger.Journal("vends:d", "vends", "d", sale("a", 50000, 43103, 6897), bad); !errors.Is(err, ledger.ErrUnbalanced) {
		t.Fatalf("journal of an unbalanced sale: %v, want ErrUnbalanced", err)
	}
}
