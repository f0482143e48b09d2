// Package bench measures Mteja end to end: payments arrive as real Daraja
// C2B confirmations over HTTP, become tokens and SMS, and at the end the
// invariants are checked from the database: every payment exactly one
// vend, every token one message, the ledger balanced.
//
// What the customer gets is the end-to-end rate: payments whose token SMS
// was submitted, per second, counted from the submission times stored on
// the messages. A run can start on a grown database (Preload writes past
// vends in bulk, without the vend path), offer load for a duration
// (Options.Sustain) or at a rate, and measure beside it the engine's raw
// write ceiling (Ceiling), so that a figure always comes with what the
// same machine could write at best in the same run. The tests here check
// invariants, never speed: counts that add up, books that balance, a
// token queue bounded in vend batches under a flood.
package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// Options of one run. Zero fields take the defaults noted.
type Options struct {
	// Payments to send; default 10,000. With Sustain it is a cap instead
	// (default the offered rate times Sustain, or 1,000,000 flat out).
	Payments int
	Rate     float64 // payments offered per second; 0 = flat out
	// Sustain, when positive, offers payments for this long instead of a
	// fixed number (at most Payments).
	Sustain time.Duration
	// Preload fills the database with this many past vends before the run
	// (see Preload), so that a run measures a database that has grown.
	Preload int
	// Ceiling, when positive, measures the raw write ceiling of the
	// engine for this long before the run (see Ceiling), for a figure
	// taken side by side with the run's.
	Ceiling     time.Duration
	DB          string // DSN; default a fresh SQLite file in a temp folder; on PostgreSQL, a fresh schema dropped after
	Meters      int    // default 1,000
	Concurrency int    // concurrent callback senders; default 64
	// Replays is how many times each callback is delivered (concurrently);
	// default 1. The invariants must hold whatever it is.
	Replays int
	// Nodes is how many nodes share the database (PostgreSQL only; default
	// 1). Each is a whole node in this process, with its own connection
	// pool, intake, vend and delivery workers and HTTP server; callbacks
	// go to them in turn, and a callback's repeats to the nodes after it.
	Nodes int
	// SMPPAddr, when set, sends the SMS to this SMSC; otherwise to an
	// in-process sink that acknowledges at once.
	SMPPAddr, SMPPSystemID, SMPPPassword string
	Progress                             io.Writer // a progress line a second; nil for none
	// Wait bounds the wait for the last vends and SMS; default 2 minutes.
	Wait time.Duration
	// CPUProfile, when set, receives a CPU profile of the run itself:
	// from the node's start to the last SMS, the preload left out.
	CPUProfile io.Writer
	// MemProfile, when set, receives a heap profile taken when the last
	// SMS has gone, before the run is measured.
	MemProfile io.Writer
	// WAL, on PostgreSQL, measures the write-ahead log the run writes
	// (Result.WAL). It waits a second before the run and another after
	// it, for the server's statistics.
	WAL bool
	// setup, in tests, adjusts the node before it starts.
	setup func(a *app.App)
	// after, in tests, reads the database once the run is measured and
	// before it is dropped.
	after func(ctx context.Context, db *store.DB)
}

// Result of one run. Latencies run from the moment the callback was sent.
type Result struct {
	DB             string  `json:"db"`
	Payments       int     `json:"payments"`
	Offered        float64 `json:"offered_per_second"`
	Seconds        float64 `json:"seconds"`
	VendsPerSecond float64 `json:"vends_per_second"`
	// EndToEnd is what the customer gets: payments whose token SMS was
	// submitted, per second, from the first callback sent to the last
	// submission (the submission times stored on the messages).
	EndToEnd     float64 `json:"end_to_end_per_second"`
	SMSSubmitted int     `json:"sms_submitted"`
	// Backlog is the token messages still queued when the run ended
	// (after its wait for the last ones).
	Backlog int `json:"token_backlog"`
	// PeakRSS is the process's peak resident memory in MB: the node and
	// its load generator together, preload included.
	PeakRSS float64 `json:"peak_rss_mb"`
	// RunRSS is the peak resident memory during the run itself, from the
	// node's start to the last SMS, sampled four times a second.
	RunRSS    float64        `json:"run_peak_rss_mb"`
	Preloaded *Preloaded     `json:"preloaded,omitempty"`
	Ceiling   *CeilingResult `json:"ceiling,omitempty"`
	// WAL is PostgreSQL's write-ahead log written during the run.
	WAL *WAL `json:"wal,omitempty"`
	// CPU is the processor time the run took per payment.
	CPU      *CPU    `json:"cpu,omitempty"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	SMSP50   float64 `json:"sms_p50_ms"`
	SMSP95   float64 `json:"sms_p95_ms"`
	SMSP99   float64 `json:"sms_p99_ms"`
	AckP50   float64 `json:"ack_p50_ms"`
	AckP99   float64 `json:"ack_p99_ms"`
	Stored   int     `json:"payments_stored"`
	Vends    int     `json:"vends"`
	Messages int     `json:"messages"`
	Lost     int     `json:"lost"`
	Doubled  int     `json:"doubled"`
	Dangling int     `json:"dangling"`
	LedgerOK bool    `json:"ledger_balanced"`
	Errors   int     `json:"callback_errors"`
}

// OK reports whether the invariants held.
func (r Result) OK() bool {
	return r.Lost == 0 && r.Doubled == 0 && r.Dangling == 0 && r.LedgerOK && r.Vends == r.Payments
}

func (o *Options) defaults() {
	switch {
	case o.Payments > 0:
	case o.Sustain > 0 && o.Rate > 0:
		o.Payments = int(o.Rate*o.Sustain.Seconds()) + 1
	case o.Sustain > 0:
		o.Payments = 1_000_000
	default:
		o.Payments = 10_000
	}
	if o.Meters <= 0 {
		o.Meters = 1_000
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 64
	}
	if o.Replays <= 0 {
		o.Replays = 1
	}
	if o.Nodes <= 0 {
		o.Nodes = 1
	}
	if o.Wait <= 0 {
		o.Wait = 2 * time.Minute
	}
}

// sinkReceiptAfter is how long the in-process SMSC takes to send a
// delivery receipt: a handset's answer takes seconds.
const sinkReceiptAfter = time.Second

func newSink() *notify.Sink { return &notify.Sink{Keep: 1, ReceiptAfter: sinkReceiptAfter} }

// Vend runs the vend benchmark.
func Vend(ctx context.Context, o Options) (Result, error) {
	o.defaults()
	dir, err := os.MkdirTemp("", "mteja-bench-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	dsn := o.DB
	if dsn == "" {
		dsn = filepath.Join(dir, "bench.db")
	}
	var ceiling *CeilingResult
	if o.Ceiling > 0 {
		// First, on an idle machine: the node is not started yet.
		c, err := Ceiling(ctx, dsn, o.Ceiling)
		if err != nil {
			return Result{}, err
		}
		ceiling = &c
	}
	if strings.HasPrefix(dsn, "postgres") {
		// A schema of its own, dropped after the run: a bench must leave
		// no payments, tokens or secrets in the database it was pointed at.
		var drop func()
		if dsn, drop, err = freshSchema(ctx, dsn); err != nil {
			return Result{}, err
		}
		defer drop()
	}
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: dir, DB: dsn, Utility: "Mteja Power", USSDCode: "*384*123#", SMSFrom: "MTEJA",
		VendingKey: app.DemoVendingKey, DarajaShortCodes: []string{"888880"}, DarajaAllow: peer.AllowList{Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, SMPPTPS: 10}
	opts := app.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if o.SMPPAddr != "" {
		c, err := smpp.New(smpp.Config{Addr: o.SMPPAddr, SystemID: o.SMPPSystemID, Password: o.SMPPPassword, TPS: 100_000, Window: 255})
		if err != nil {
			return Result{}, err
		}
		defer c.Close()
		opts.Routes = []notify.Route{{Name: "smpp", Sender: c}}
	} else {
		opts.Routes = []notify.Route{{Name: "sink", Sender: newSink()}}
	}
	if o.Nodes > 1 && !strings.HasPrefix(dsn, "postgres") {
		return Result{}, fmt.Errorf("bench: %d nodes need PostgreSQL (-db postgres://...); SQLite has one writer", o.Nodes)
	}
	a, err := app.New(ctx, cfg, opts)
	if err != nil {
		return Result{}, err
	}
	defer a.Close()
	nodes := []*app.App{a}
	for i := 1; i < o.Nodes; i++ {
		// Another node on the same database: its own folder (spool) and
		// its own sender, as a second server would have.
		c := cfg
		c.DataDir = filepath.Join(dir, fmt.Sprintf("node%d", i+1))
		if err := copySecrets(dir, c.DataDir); err != nil {
			return Result{}, err
		}
		no := opts
		if o.SMPPAddr == "" {
			no.Routes = []notify.Route{{Name: "sink", Sender: newSink()}}
		}
		n, err := app.New(ctx, c, no)
		if err != nil {
			return Result{}, fmt.Errorf("node %d: %w", i+1, err)
		}
		defer n.Close()
		nodes = append(nodes, n)
	}
	for _, n := range nodes {
		for _, r := range n.Delivery.Routes {
			if s, ok := r.Sender.(*notify.Sink); ok {
				// Receipts, as an SMSC sends them: writing them is part
				// of the load, and without them every token would count
				// as undelivered (delay notices, charter cases).
				s.OnReceipt = n.Delivery.OnReceipt(r.Name)
			}
		}
	}
	meters, err := seed(ctx, a.DB, o.Meters)
	if err != nil {
		return Result{}, err
	}
	res := Result{DB: string(a.DB.Dialect), Offered: o.Rate, Ceiling: ceiling}
	if o.Preload > 0 {
		pre, err := Preload(ctx, a.DB, o.Preload)
		if err != nil {
			return Result{}, err
		}
		res.Preloaded = &pre
	}
	if a.DB.Dialect == store.Postgres {
		// Fresh tables have no statistics; without them the planner picks
		// sequential scans and throughput collapses (autovacuum is off here).
		if _, err := a.DB.Write().ExecContext(ctx, `ANALYZE`); err != nil {
			return Result{}, err
		}
	}
	base, err := countRows(ctx, a.DB)
	if err != nil {
		return Result{}, err
	}
	if o.setup != nil {
		o.setup(a)
	}
	if o.CPUProfile != nil {
		if err := pprof.StartCPUProfile(o.CPUProfile); err != nil {
			return Result{}, err
		}
		defer pprof.StopCPUProfile()
	}
	rss := sampleRSS()
	defer rss.Stop()
	// Vends as the nodes commit them, for the progress line.
	var vended atomic.Int64
	for _, n := range nodes {
		next := n.Vend.OnVended
		n.Vend.OnVended = func(k int) {
			vended.Add(int64(k))
			if next != nil {
				next(k)
			}
		}
	}
	var urls []string
	for i, n := range nodes {
		if err := n.Start(ctx); err != nil {
			return Result{}, fmt.Errorf("node %d: %w", i+1, err)
		}
		urls = append(urls, n.CallbackURL("c2b/confirmation"))
	}
	// Send and acknowledgement times, in nanoseconds since start: two
	// int64s a payment keep a million-payment run's own memory small.
	sent := make([]int64, o.Payments)
	acks := make([]int64, o.Payments)
	var errs, done atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * o.Replays, MaxConnsPerHost: 0}, Timeout: 30 * time.Second}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var wal walStat
	walOK := false
	if o.WAL {
		wal, walOK = walNow(ctx, a.DB)
	}
	cpu := cpuNow()
	start := time.Now()
	for range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				body := confirmation(i, meters[i%len(meters)])
				t0 := time.Now()
				sent[i] = int64(t0.Sub(start))
				var rw sync.WaitGroup
				for r := range o.Replays {
					rw.Add(1)
					go func() {
						defer rw.Done()
						if err := post(ctx, client, urls[(i+r)%len(urls)], body); err != nil {
							errs.Add(1)
						}
					}()
				}
				rw.Wait()
				acks[i] = int64(time.Since(t0))
				done.Add(1)
			}
		}()
	}
	stopProgress := progress(o.Progress, start, o.Payments, &done, &vended, a.DB)
	// At an offered rate the n-th payment is due at start + n/rate: a
	// schedule, not a ticker, which drops the ticks it cannot deliver at
	// once and offered about 5% less than asked.
	n := 0
	for ; n < o.Payments; n++ {
		if o.Rate > 0 {
			if d := time.Until(start.Add(time.Duration(float64(n) * float64(time.Second) / o.Rate))); d > 0 {
				time.Sleep(d)
			}
		}
		if o.Sustain > 0 && time.Since(start) >= o.Sustain {
			break
		}
		select {
		case jobs <- n:
		case <-ctx.Done():
			close(jobs)
			stopProgress()
			return res, ctx.Err()
		}
	}
	close(jobs)
	wg.Wait()
	res.Payments = n
	// Wait for the last vends and messages.
	deadline := time.Now().Add(o.Wait)
	for time.Now().Before(deadline) {
		received, queued, err := backlog(ctx, a.DB)
		if err != nil {
			stopProgress()
			return res, err
		}
		if received == 0 && queued == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopProgress()
	res.CPU = cpuSince(cpu, n)
	if walOK {
		res.WAL = walSince(ctx, a.DB, wal, n)
	}
	res.RunRSS = rss.Stop()
	if o.MemProfile != nil {
		runtime.GC()
		if err := pprof.WriteHeapProfile(o.MemProfile); err != nil {
			return res, err
		}
	}
	if o.CPUProfile != nil {
		pprof.StopCPUProfile()
	}
	res.Errors = int(errs.Load())
	if err := measure(ctx, a.DB, start, sent[:n], base, &res); err != nil {
		return res, err
	}
	ackMS := make([]float64, n)
	for i, d := range acks[:n] {
		ackMS[i] = float64(d/1000) / 1000
	}
	sort.Float64s(ackMS)
	res.AckP50, res.AckP99 = pct(ackMS, 0.50), pct(ackMS, 0.99)
	if o.after != nil {
		o.after(ctx, a.DB)
	}
	res.PeakRSS = peakRSS()
	return res, nil
}

// copySecrets gives another node the first node's secrets (callback and
// sealing keys), as an operator gives every node the same.
func copySecrets(from, to string) error {
	if err := os.MkdirAll(to, 0o700); err != nil {
		return err
	}
	secrets, err := filepath.Glob(filepath.Join(from, "*-secret"))
	if err != nil {
		return err
	}
	for _, f := range secrets {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// backlog counts the payments still waiting for their vend and the
// messages still waiting for their send.
func backlog(ctx context.Context, db *store.DB) (received, queued int, err error) {
	err = db.Read().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM payments WHERE state = 'received'),
		(SELECT count(*) FROM messages WHERE state = 'queued')`).Scan(&received, &queued)
	if err != nil {
		err = fmt.Errorf("queue depths: %w", err)
	}
	return received, queued, err
}

func confirmation(i int, drn string) []byte {
	return []byte(fmt.Sprintf(`{"TransactionType":"Pay Bill","TransID":"%s","TransTime":"%s","TransAmount":"%d.00","BusinessShortCode":"888880","BillRefNumber":"%s","InvoiceNumber":"","OrgAccountBalance":"","ThirdPartyTransID":"","MSISDN":"bbff37cea44ac0b2d964ee0dfb8d2df8513dc7ba1b36129a929fc3fbd6dd4af4","FirstName":"JOHN","MiddleName":"","LastName":""}`,
		receipt(i), time.Now().In(tariff.Zone).Format("20060102150405"), 100+(i%50)*10, drn))
}

// receipt makes the i-th unique 10-character receipt code.
func receipt(i int) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := []byte("BNCH000000")
	for p := 9; p >= 4 && i > 0; p-- {
		b[p] = digits[i%36]
		i /= 36
	}
	return string(b)
}

func post(ctx context.Context, c *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"ResultCode":0`) {
		return fmt.Errorf("confirmation answered %d %s", resp.StatusCode, b)
	}
	return nil
}

// seed creates n customers, each with a phone and a meter.
func seed(ctx context.Context, db *store.DB, n int) ([]string, error) {
	var drns []string
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := vend.SaveTariff(tx, app.SampleTariffID, tariff.SampleYAML()); err != nil {
			return err
		}
		for i := range n {
			drn, err := meterNumber(i)
			if err != nil {
				return err
			}
			c := &customer.Customer{Name: fmt.Sprintf("Customer %d", i), Phones: []string{fmt.Sprintf("2547%08d", i)}}
			if err := customer.Create(tx, c); err != nil {
				return err
			}
			if err := customer.CreateMeter(tx, &customer.Meter{DRN: drn, CustomerID: c.ID, SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255,
				BaseDate: 2014, Algorithm: "EA07", DKGA: "02", TariffID: app.SampleTariffID}); err != nil {
				return err
			}
			drns = append(drns, drn)
		}
		return nil
	})
	return drns, err
}

// meterNumber makes the i-th 11-digit meter number with its Luhn digit.
func meterNumber(i int) (string, error) {
	base := fmt.Sprintf("07%08d", i)
	sum := 0
	for k := 0; k < len(base); k++ {
		d := int(base[len(base)-1-k] - '0')
		if k%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return base + string(rune('0'+(10-sum%10)%10)), nil
}

var errInvariants = errors.New("invariants failed")

// Check returns an error naming the invariants a result broke.
func (r Result) Check() error {
	if r.OK() {
		return nil
	}
	return fmt.Errorf("%w: payments %d, stored %d, vends %d, lost %d, doubled %d, dangling %d, ledger balanced %v", errInvariants, r.Payments, r.Stored, r.Vends, r.Lost, r.Doubled, r.Dangling, r.LedgerOK)
}
