// Package bench measures Mteja end to end: payments arrive as real Daraja
// C2B confirmations over HTTP, become tokens and SMS, and at the end the
// invariants are checked from the database: every payment exactly one
// vend, every token one message, the ledger balanced.
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
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// Options of one run. Zero fields take the defaults noted.
type Options struct {
	Payments    int     // default 10,000
	Rate        float64 // payments offered per second; 0 = flat out
	DB          string  // DSN; default a fresh SQLite file in a temp folder
	Meters      int     // default 1,000
	Concurrency int     // concurrent callback senders; default 64
	// Replays is how many times each callback is delivered (concurrently);
	// default 1. The invariants must hold whatever it is.
	Replays int
	// SMPPAddr, when set, sends the SMS to this SMSC; otherwise to an
	// in-process sink that acknowledges at once.
	SMPPAddr, SMPPSystemID, SMPPPassword string
	Progress                             io.Writer // a progress line a second; nil for none
	// Wait bounds the wait for the last vends and SMS; default 2 minutes.
	Wait time.Duration
}

// Result of one run. Latencies run from the moment the callback was sent.
type Result struct {
	DB             string  `json:"db"`
	Payments       int     `json:"payments"`
	Offered        float64 `json:"offered_per_second"`
	Seconds        float64 `json:"seconds"`
	VendsPerSecond float64 `json:"vends_per_second"`
	P50            float64 `json:"p50_ms"`
	P95            float64 `json:"p95_ms"`
	P99            float64 `json:"p99_ms"`
	SMSP50         float64 `json:"sms_p50_ms"`
	SMSP95         float64 `json:"sms_p95_ms"`
	SMSP99         float64 `json:"sms_p99_ms"`
	AckP50         float64 `json:"ack_p50_ms"`
	AckP99         float64 `json:"ack_p99_ms"`
	Stored         int     `json:"payments_stored"`
	Vends          int     `json:"vends"`
	Messages       int     `json:"messages"`
	Lost           int     `json:"lost"`
	Doubled        int     `json:"doubled"`
	LedgerOK       bool    `json:"ledger_balanced"`
	Errors         int     `json:"callback_errors"`
}

// OK reports whether the invariants held.
func (r Result) OK() bool {
	return r.Lost == 0 && r.Doubled == 0 && r.LedgerOK && r.Vends == r.Payments
}

func (o *Options) defaults() {
	if o.Payments <= 0 {
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
	if o.Wait <= 0 {
		o.Wait = 2 * time.Minute
	}
}

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
		opts.Routes = []notify.Route{{Name: "sink", Sender: &notify.Sink{Keep: 1}}}
	}
	a, err := app.New(ctx, cfg, opts)
	if err != nil {
		return Result{}, err
	}
	defer a.Close()
	meters, err := seed(ctx, a.DB, o.Meters)
	if err != nil {
		return Result{}, err
	}
	if a.DB.Dialect == store.Postgres {
		// Fresh tables have no statistics; without them the planner picks
		// sequential scans and throughput collapses (autovacuum is off here).
		if _, err := a.DB.Write().ExecContext(ctx, `ANALYZE`); err != nil {
			return Result{}, err
		}
	}
	if err := a.Start(ctx); err != nil {
		return Result{}, err
	}
	url := a.CallbackURL("c2b/confirmation")
	res := Result{DB: string(a.DB.Dialect), Payments: o.Payments, Offered: o.Rate}
	sent := make([]time.Time, o.Payments)
	acks := make([]time.Duration, o.Payments)
	var errs, done atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * o.Replays, MaxConnsPerHost: 0}, Timeout: 30 * time.Second}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				body := confirmation(i, meters[i%len(meters)])
				sent[i] = time.Now()
				var rw sync.WaitGroup
				for range o.Replays {
					rw.Add(1)
					go func() {
						defer rw.Done()
						if err := post(ctx, client, url, body); err != nil {
							errs.Add(1)
						}
					}()
				}
				rw.Wait()
				acks[i] = time.Since(sent[i])
				done.Add(1)
			}
		}()
	}
	start := time.Now()
	stopProgress := progress(o.Progress, start, o.Payments, &done, a.DB)
	var tick <-chan time.Time
	if o.Rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / o.Rate))
		defer t.Stop()
		tick = t.C
	}
	for i := range o.Payments {
		if tick != nil {
			<-tick
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			close(jobs)
			return res, ctx.Err()
		}
	}
	close(jobs)
	wg.Wait()
	// Wait for the last vends and messages.
	deadline := time.Now().Add(o.Wait)
	for time.Now().Before(deadline) {
		received, queued, err := backlog(ctx, a.DB)
		if err != nil {
			return res, err
		}
		if received == 0 && queued == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopProgress()
	res.Errors = int(errs.Load())
	if err := measure(ctx, a.DB, sent, &res); err != nil {
		return res, err
	}
	ackMS := make([]float64, len(acks))
	for i, d := range acks {
		ackMS[i] = float64(d.Microseconds()) / 1000
	}
	sort.Float64s(ackMS)
	res.AckP50, res.AckP99 = pct(ackMS, 0.50), pct(ackMS, 0.99)
	return res, nil
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

func progress(w io.Writer, start time.Time, total int, done *atomic.Int64, db *store.DB) func() {
	if w == nil {
		return func() {}
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				fmt.Fprintln(w)
				return
			case <-t.C:
				var vends int
				db.Read().QueryRow(`SELECT count(*) FROM vends`).Scan(&vends)
				el := time.Since(start).Seconds()
				fmt.Fprintf(w, "\r%6.1fs  callbacks %d/%d  vends %d  (%.0f vends/s)   ", el, done.Load(), total, vends, float64(vends)/el)
			}
		}
	}()
	return func() { close(stop); <-finished }
}

func measure(ctx context.Context, db *store.DB, sent []time.Time, res *Result) error {
	q := db.Read()
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM payments`).Scan(&res.Stored); err != nil {
		return err
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM vends`).Scan(&res.Vends); err != nil {
		return err
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE template = 'token'`).Scan(&res.Messages); err != nil {
		return err
	}
	// Doubled: a payment with more than one vend (the schema forbids it),
	// a vend with more than one credit token, or a vend with more token
	// messages than its meter has phones (one phone each here).
	var doubled int
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM (SELECT payment_id FROM vends GROUP BY payment_id HAVING count(*) > 1) a) +
		(SELECT count(*) FROM (SELECT vend_id FROM tokens WHERE kind = 'credit' GROUP BY vend_id HAVING count(*) > 1) b) +
		(SELECT count(*) FROM (SELECT ref FROM messages WHERE template = 'token' GROUP BY ref HAVING count(*) > 1) c) +
		(SELECT count(*) FROM (SELECT receipt FROM payments GROUP BY receipt HAVING count(*) > 1) d)`).Scan(&doubled)
	if err != nil {
		return err
	}
	res.Doubled = doubled
	var unvended int
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM payments p WHERE NOT EXISTS (SELECT 1 FROM vends v WHERE v.payment_id = p.id)`).Scan(&unvended)
	if err != nil {
		return err
	}
	res.Lost = res.Payments - res.Stored + unvended
	res.LedgerOK = ledger.Check(ctx, q) == nil
	// Latencies, from the callback's send time to the vend's commit time
	// and to the token message's submission.
	rows, err := q.QueryContext(ctx, `SELECT p.receipt, v.created_at, COALESCE(m.submitted_at, 0) FROM payments p JOIN vends v ON v.payment_id = p.id LEFT JOIN messages m ON m.ref = v.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var vendMS, smsMS []float64
	var first, last time.Time
	for rows.Next() {
		var r string
		var vat, sat int64
		if err := rows.Scan(&r, &vat, &sat); err != nil {
			return err
		}
		i := index(r)
		if i < 0 || i >= len(sent) {
			continue
		}
		vt := store.Time(vat)
		vendMS = append(vendMS, float64(vt.Sub(sent[i]).Microseconds())/1000)
		if sat > 0 {
			smsMS = append(smsMS, float64(store.Time(sat).Sub(sent[i]).Microseconds())/1000)
		}
		if first.IsZero() || sent[i].Before(first) {
			first = sent[i]
		}
		if vt.After(last) {
			last = vt
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	sort.Float64s(vendMS)
	sort.Float64s(smsMS)
	res.P50, res.P95, res.P99 = pct(vendMS, .50), pct(vendMS, .95), pct(vendMS, .99)
	res.SMSP50, res.SMSP95, res.SMSP99 = pct(smsMS, .50), pct(smsMS, .95), pct(smsMS, .99)
	if !first.IsZero() && last.After(first) {
		res.Seconds = last.Sub(first).Seconds()
		res.VendsPerSecond = float64(res.Vends) / res.Seconds
	}
	return nil
}

func index(receipt string) int {
	if !strings.HasPrefix(receipt, "BNCH") {
		return -1
	}
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	n := 0
	for _, c := range receipt[4:] {
		k := strings.IndexRune(digits, c)
		if k < 0 {
			return -1
		}
		n = n*36 + k
	}
	return n
}

func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return float64(int(sorted[i]*10)) / 10
}

var errInvariants = errors.New("invariants failed")

// Check returns an error naming the invariants a result broke.
func (r Result) Check() error {
	if r.OK() {
		return nil
	}
	return fmt.Errorf("%w: payments %d, stored %d, vends %d, lost %d, doubled %d, ledger balanced %v", errInvariants, r.Payments, r.Stored, r.Vends, r.Lost, r.Doubled, r.LedgerOK)
}
