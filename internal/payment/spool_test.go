package payment_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func spoolPayment(receipt string, major int64) payment.Payment {
	return payment.Payment{Provider: payment.MpesaC2B, Receipt: receipt, Amount: money.MustFromMajor(major),
		AccountRef: "54500320905", ShortCode: "888880", PaidAt: time.Now().Truncate(time.Second)}
}

// Spooled payments are stored once each, however often the spool is
// replayed and whether or not one of them reached the database by another
// road; a torn last record (never acknowledged) is skipped, and a record
// appended after it is not spoiled by it.
func TestSpoolReplayExactlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := setup(t, db)
		dir := t.TempDir()
		sp, err := payment.OpenSpool(dir)
		if err != nil {
			t.Fatal(err)
		}
		in.Spool = sp
		for i, r := range []string{"SPL0000001", "SPL0000002", "SPL0000003"} {
			if err := sp.Append(spoolPayment(r, int64(100+i)), time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		// The third also arrived again once the database was back.
		if _, err := in.Record(ctx, spoolPayment("SPL0000003", 102)); err != nil {
			t.Fatal(err)
		}
		sp.Close()
		f, _ := os.OpenFile(filepath.Join(dir, "intake.spool"), os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString(`0badc0de {"payment":{"Receipt":"SPL00000`) // a crash mid-write
		f.Close()
		if err := sp.Append(spoolPayment("SPL0000004", 103), time.Now()); err != nil {
			t.Fatal(err)
		}
		if !sp.Pending() {
			t.Fatal("spool holds records but says none are pending")
		}
		n, err := in.ReplaySpool(ctx)
		if err != nil || n != 4 {
			t.Fatalf("replay: %d, %v; want 4 records", n, err)
		}
		if n, err := in.ReplaySpool(ctx); err != nil || n != 0 || sp.Pending() {
			t.Fatalf("second replay: %d, %v, pending %v; want nothing left", n, err, sp.Pending())
		}
		for i, r := range []string{"SPL0000001", "SPL0000002", "SPL0000003", "SPL0000004"} {
			p, err := payment.ByReceipt(ctx, db.Read(), r)
			if err != nil || p.Amount != money.MustFromMajor(int64(100+i)) || p.State != payment.Received || p.MeterDRN != "54500320905" {
				t.Errorf("%s: %+v, %v", r, p, err)
			}
		}
		var count int
		db.Read().QueryRowContext(ctx, `SELECT count(*) FROM payments`).Scan(&count)
		if count != 4 {
			t.Errorf("%d payments stored, want 4", count)
		}
		bal, _ := ledger.Balances(ctx, db.Read())
		if bal[ledger.MpesaClearing] != money.MustFromMajor(406) {
			t.Errorf("clearing holds %s, want 406.00", bal[ledger.MpesaClearing])
		}
		if in.Counts.Replayed.Load() != 4 {
			t.Errorf("replayed counter %d, want 4", in.Counts.Replayed.Load())
		}
	})
}

// A payment the database cannot take in time (here another process holds
// the SQLite file's write lock) is spooled and acknowledged within the
// retry window, then stored once the lock is gone.
func TestRecordDurablySpoolsWhileLocked(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	db := storetest.OpenDSN(t, dsn)
	ctx := context.Background()
	in := setup(t, db)
	sp, err := payment.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	in.Spool, in.RetryFor = sp, 500*time.Millisecond

	if _, spooled, err := in.RecordDurably(ctx, spoolPayment("LCK0000001", 50)); err != nil || spooled {
		t.Fatalf("with the database free: spooled %v, %v; want stored", spooled, err)
	}
	other, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, spooled, err := in.RecordDurably(ctx, spoolPayment("LCK0000002", 60))
	if err != nil || !spooled {
		t.Fatalf("with the database locked: spooled %v, %v; want spooled", spooled, err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("answered after %s; Daraja waits about 8 s", waited)
	}
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if n, err := in.ReplaySpool(short); err == nil || n != 0 || !sp.Pending() {
		t.Errorf("replay while locked: %d, %v; want an error and the record kept", n, err)
	}
	conn.ExecContext(ctx, `ROLLBACK`)
	conn.Close()
	if _, err := in.ReplaySpool(ctx); err != nil {
		t.Fatal(err)
	}
	if p, err := payment.ByReceipt(ctx, db.Read(), "LCK0000002"); err != nil || p.Amount != money.MustFromMajor(60) {
		t.Fatalf("after the lock: %+v, %v", p, err)
	}
}
