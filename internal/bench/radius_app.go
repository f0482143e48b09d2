package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/store"
)

// benchISPShortCode is the Paybill the bench's subscribers pay.
const benchISPShortCode = "600999"

// benchPlan is what every bench subscriber has bought: a week of 50 GB,
// so neither time nor data runs out while the load runs.
var benchPlan = isp.Plan{ID: "bench-week", Name: "Bench week 50 GB", Kind: isp.Hotspot, Billing: isp.Bundle, Price: money.MustFromMajor(300),
	Duration: 7 * 24 * time.Hour, Data: 50 * isp.GB, Rate: isp.RateLimit{Rx: 2_000_000, Tx: 5_000_000}, SharedUsers: 100, Active: true}

// AppDecider is billing's own Decider, as `mteja serve` runs it: a whole
// node on dsn ("" for a fresh SQLite file; a PostgreSQL DSN gets a fresh
// schema of its own, dropped after the run), its workers running (the
// accounting writer among them), and the bench's routers and subscribers
// stored as an operator stores them: each subscriber paid by M-Pesa
// through intake and the ISP's applier.
func AppDecider(dsn string, progress io.Writer) RadiusDecider {
	return func(ctx context.Context, nas []radius.NAS, users []string) (radius.Decider, string, func(), error) {
		dir, err := os.MkdirTemp("", "mteja-bench-radius-")
		if err != nil {
			return nil, "", nil, err
		}
		cleanup := []func(){func() { os.RemoveAll(dir) }}
		release := func() {
			for i := len(cleanup) - 1; i >= 0; i-- {
				cleanup[i]()
			}
		}
		fail := func(err error) (radius.Decider, string, func(), error) {
			release()
			return nil, "", nil, err
		}
		switch {
		case dsn == "":
			dsn = filepath.Join(dir, "bench.db")
		case strings.HasPrefix(dsn, "postgres"):
			var drop func()
			if dsn, drop, err = freshSchema(ctx, dsn); err != nil {
				return fail(err)
			}
			cleanup = append(cleanup, drop)
		}
		cfg := config.Config{Addr: "127.0.0.1:0", DataDir: dir, DB: dsn, Utility: "Mteja Power", USSDCode: "*384*123#", SMSFrom: "MTEJA",
			VendingKey: app.DemoVendingKey, DarajaShortCodes: []string{"888880"}, ISPShortCodes: []string{benchISPShortCode}, ISPName: "Bench Net",
			ISPWalledGarden: "mteja-pay-now", ISPInterim: 5 * time.Minute, SealKey: randomHex(32),
			DarajaAllow: peer.AllowList{Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, SMPPTPS: 10}
		a, err := app.New(ctx, cfg, app.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			return fail(err)
		}
		cleanup = append(cleanup, func() { a.Close() })
		if err := a.Start(ctx); err != nil {
			return fail(err)
		}
		start := time.Now()
		if err := storeSubscribers(ctx, a, nas, users); err != nil {
			return fail(err)
		}
		if a.DB.Dialect == store.Postgres {
			// Fresh tables have no statistics (autovacuum may be off).
			if _, err := a.DB.Write().ExecContext(ctx, `ANALYZE`); err != nil {
				return fail(err)
			}
		}
		if progress != nil {
			fmt.Fprintf(progress, "stored %d routers and %d paid subscribers on %s in %.1f s\n", len(nas), len(users), a.DB.Dialect, time.Since(start).Seconds())
		}
		return a.ISP, fmt.Sprintf("billing (package isp) on %s", a.DB.Dialect), release, nil
	}
}

// storeSubscribers lists the routers and makes each user a subscriber on
// benchPlan, paid by a Paybill payment to the ISP, applied before the load
// starts.
func storeSubscribers(ctx context.Context, a *app.App, nas []radius.NAS, users []string) error {
	if err := a.ISP.SavePlan(ctx, benchPlan); err != nil {
		return err
	}
	for _, n := range nas {
		if _, err := a.ISP.AddNAS(ctx, n.Name, n.Addr, string(n.Secret), 0, "bench"); err != nil {
			return err
		}
	}
	const workers = 16
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(users); i += workers {
				u, _, err := a.ISP.CreateSubscriber(ctx, isp.Subscriber{Username: users[i]}, users[i])
				if err == nil {
					_, err = a.ISP.Subscribe(ctx, u.ID, benchPlan.ID, "bench")
				}
				if err == nil {
					_, err = a.Intake.Record(ctx, payment.Payment{Provider: payment.MpesaC2B, Receipt: fmt.Sprintf("BRD%07d", i), Amount: benchPlan.Price,
						AccountRef: users[i], ShortCode: benchISPShortCode, PaidAt: time.Now()})
				}
				if err != nil {
					errs <- fmt.Errorf("subscriber %s: %w", users[i], err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	// The node's applier takes the payments too; wait until every
	// subscriber's plan runs.
	deadline := time.Now().Add(time.Minute + time.Duration(len(users))*time.Millisecond)
	for {
		if _, err := a.ISP.ApplyOnce(ctx); err != nil {
			return err
		}
		var active int
		if err := a.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM isp_subscriptions WHERE state = 'active'`).Scan(&active); err != nil {
			return err
		}
		if active == len(users) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d subscribers active after their payments", active, len(users))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freshSchema makes a schema of its own on the PostgreSQL at dsn and
// returns a DSN that uses it, and a function that drops it.
func freshSchema(ctx context.Context, dsn string) (string, func(), error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("-db: %w", err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	schema := "mteja_bench_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("postgres: create schema for the bench: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
