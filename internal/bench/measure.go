package bench

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/store"
)

// counts are the rows a run is measured by, taken before it starts so that
// a preloaded database's rows are not counted as the run's.
type counts struct{ payments, vends, messages int }

func countRows(ctx context.Context, db *store.DB) (counts, error) {
	var c counts
	err := db.Read().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM payments),
		(SELECT count(*) FROM vends),
		(SELECT count(*) FROM messages WHERE template = 'token')`).Scan(&c.payments, &c.vends, &c.messages)
	if err != nil {
		return counts{}, fmt.Errorf("count rows: %w", err)
	}
	return c, nil
}

// measure fills res from the database: counts, invariants, latencies and
// the end-to-end rate. sent holds each payment's send time in nanoseconds
// since start; base the counts before the run.
func measure(ctx context.Context, db *store.DB, start time.Time, sent []int64, base counts, res *Result) error {
	q := db.Read()
	now, err := countRows(ctx, db)
	if err != nil {
		return err
	}
	res.Stored, res.Vends, res.Messages = now.payments-base.payments, now.vends-base.vends, now.messages-base.messages
	// Doubled: a payment with more than one vend (the schema forbids it),
	// a vend with more than one credit token, or a vend with more token
	// messages than its meter has phones (one phone each here).
	var doubled int
	err = q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM (SELECT payment_id FROM vends GROUP BY payment_id HAVING count(*) > 1) a) +
		(SELECT count(*) FROM (SELECT vend_id FROM tokens WHERE kind = 'credit' GROUP BY vend_id HAVING count(*) > 1) b) +
		(SELECT count(*) FROM (SELECT ref FROM messages WHERE template = 'token' GROUP BY ref HAVING count(*) > 1) c) +
		(SELECT count(*) FROM (SELECT receipt FROM payments GROUP BY receipt HAVING count(*) > 1) d)`).Scan(&doubled)
	if err != nil {
		return err
	}
	res.Doubled = doubled
	// Dangling: a vend whose payment (for its meter) or meter is not
	// stored, or a vend's token whose vend is not. PostgreSQL has no
	// foreign keys on these (see its migration 00031): the vend batch
	// writes them together, and this checks that it did.
	err = q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM vends v WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = v.payment_id AND p.meter_drn = v.meter_drn)
			OR NOT EXISTS (SELECT 1 FROM meters m WHERE m.drn = v.meter_drn)) +
		(SELECT count(*) FROM tokens t WHERE t.vend_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM vends v WHERE v.id = t.vend_id))`).Scan(&res.Dangling)
	if err != nil {
		return fmt.Errorf("dangling vends and tokens: %w", err)
	}
	var unvended int
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM payments p WHERE NOT EXISTS (SELECT 1 FROM vends v WHERE v.payment_id = p.id)`).Scan(&unvended)
	if err != nil {
		return err
	}
	res.Lost = res.Payments - res.Stored + unvended
	res.LedgerOK = ledger.Check(ctx, q) == nil
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE state = 'queued' AND lane = 'token'`).Scan(&res.Backlog); err != nil {
		return fmt.Errorf("token backlog: %w", err)
	}
	// Latencies, from the callback's send time to the vend's commit time
	// and to the token message's submission. The receipt range holds the
	// run's payments only (preloaded ones start with "PREL").
	rows, err := q.QueryContext(ctx, `SELECT p.receipt, v.created_at, COALESCE(m.submitted_at, 0) FROM payments p JOIN vends v ON v.payment_id = p.id
		LEFT JOIN messages m ON m.ref = v.id AND m.template = 'token' WHERE p.receipt >= 'BNCH' AND p.receipt < 'BNCI'`)
	if err != nil {
		return err
	}
	defer rows.Close()
	// Sized once: grown by appending, a million-payment run's two slices
	// were copied at every growth, old and new alive together, at the
	// end of the run, where the process's peak memory is taken.
	vendMS, smsMS := make([]float64, 0, len(sent)), make([]float64, 0, len(sent))
	var first, last, lastSMS time.Time
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
		at := start.Add(time.Duration(sent[i]))
		vt := store.Time(vat)
		vendMS = append(vendMS, float64(vt.Sub(at).Microseconds())/1000)
		if sat > 0 {
			st := store.Time(sat)
			smsMS = append(smsMS, float64(st.Sub(at).Microseconds())/1000)
			lastSMS = later(lastSMS, st)
		}
		if first.IsZero() || at.Before(first) {
			first = at
		}
		last = later(last, vt)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	sort.Float64s(vendMS)
	sort.Float64s(smsMS)
	res.P50, res.P95, res.P99 = pct(vendMS, .50), pct(vendMS, .95), pct(vendMS, .99)
	res.SMSP50, res.SMSP95, res.SMSP99 = pct(smsMS, .50), pct(smsMS, .95), pct(smsMS, .99)
	res.SMSSubmitted = len(smsMS)
	if !first.IsZero() && last.After(first) {
		res.Seconds = last.Sub(first).Seconds()
		res.VendsPerSecond = float64(res.Vends) / res.Seconds
	}
	if !first.IsZero() && lastSMS.After(first) {
		res.EndToEnd = float64(res.SMSSubmitted) / lastSMS.Sub(first).Seconds()
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
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

// peakRSS is the process's peak resident set size in MB (Linux reports
// ru_maxrss in kB).
// rssSampler keeps the largest resident memory it has seen, sampled from
// /proc/self/status four times a second, so that a run's own peak can be
// told from the preload's before it. Where there is no /proc it reads 0.
type rssSampler struct {
	peak atomic.Int64 // kB
	stop chan struct{}
	done chan struct{}
}

func sampleRSS() *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := currentRSS(); kb > s.peak.Load() {
				s.peak.Store(kb)
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop ends the sampling and returns the peak in MB.
func (s *rssSampler) Stop() float64 {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
	return float64(s.peak.Load()) / 1024
}

// currentRSS is VmRSS in kB.
func currentRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func peakRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
