package charter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
)

// Evaluator judges the charter's cases: it flags those past their
// escalation point for staff, and for each breach grants the compensation
// (once, whatever the retries or the nodes) and tells the customer.
type Evaluator struct {
	DB      *store.DB
	Charter *Charter
	// FixedMonthly is a meter's monthly fixed charge, for compensation
	// that is a share of it; nil makes such compensation zero.
	FixedMonthly func(ctx context.Context, tx *store.Tx, drn string) (money.Amount, error)
	Utility      string
	Quiet        notify.QuietHours
	Log          *slog.Logger
	// Lookback bounds the ticket and outage cases judged: older ones
	// still open are left as they stand (default 62 days).
	Lookback time.Duration

	mu    sync.Mutex
	marks map[string]time.Time // standard code → judged up to (payment standards)
	// paymentRows is how many rows the last payment evaluation read.
	paymentRows int
}

// judged is the point up to which every payment of standard code has been
// judged by this evaluator: on time, or stored as a case. Zero until its
// first evaluation, which reads the whole window.
func (e *Evaluator) judged(code string) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.marks[code]
}

func (e *Evaluator) setJudged(code string, t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.marks == nil {
		e.marks = map[string]time.Time{}
	}
	if t.After(e.marks[code]) {
		e.marks[code] = t
	}
}

// Tally counts what one evaluation changed.
type Tally struct {
	Escalated, Breached, Met int
}

// kase is one case of a standard as its source tables show it.
type kase struct {
	ID, Ref     string
	Start, Stop time.Time
	Pauses      []Pause
	State       string // as stored, "" when new
	Meters      []string
	Recipients  []customer.Recipient
	// MeterPhones tells the meter's registered phones as well as
	// Recipients (a payment's payer may be someone else).
	MeterPhones bool
}

// withPhones is the meter's phones, in their languages, and any of extra
// not among them.
func withPhones(phones, extra []customer.Recipient) []customer.Recipient {
	out := append([]customer.Recipient(nil), phones...)
	for _, r := range extra {
		dup := false
		for _, p := range phones {
			dup = dup || p.MSISDN == r.MSISDN
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out
}

// RunOnce judges every open case of every standard at the database's now.
func (e *Evaluator) RunOnce(ctx context.Context) (Tally, error) {
	var total Tally
	var errs []error
	now := e.DB.Now()
	for _, s := range e.Charter.Standards {
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
		// One standard's or case's failure is reported, and the others
		// are judged still.
		cases, judged, err := e.cases(ctx, s, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("charter %s: %w", s.Code, err))
			continue
		}
		failed := false
		for _, k := range cases {
			elapsed := e.Charter.Elapsed(s, k.Start, k.Stop, now, k.Pauses)
			state := Judge(s, elapsed, !k.Stop.IsZero())
			if state == Running && k.State == "" && k.Start.Before(judged) {
				// Past the escalation point by the wall clock, not by a
				// calendar that stopped: it must be read again.
				judged = k.Start.Add(-time.Microsecond)
			}
			if state == k.State || (state == Running && k.State == "") {
				continue
			}
			if s.Start == PaymentReceived && state == Met && k.State == "" {
				continue // on time: counted from the payments, not stored
			}
			if err := e.record(ctx, s, k, state, elapsed); err != nil {
				errs = append(errs, fmt.Errorf("charter %s case %s: %w", s.Code, k.ID, err))
				failed = true
				continue
			}
			switch state {
			case Escalated:
				total.Escalated++
			case Breached:
				total.Breached++
			case Met:
				total.Met++
			}
		}
		if !failed && !judged.IsZero() {
			// A case that failed to record is read again next time.
			e.setJudged(s.Code, judged)
		}
	}
	return total, errors.Join(errs...)
}

// record stores a case's new state and, for a breach, grants and tells.
// The case row is updated only while undecided, so two nodes judging the
// same case agree, and the credit's unique key pays it once.
func (e *Evaluator) record(ctx context.Context, s Standard, k kase, state string, elapsed time.Duration) error {
	return e.DB.InTx(ctx, func(tx *store.Tx) error {
		now := store.Micros(tx.Now)
		var stopped, escalated, breached any
		if !k.Stop.IsZero() {
			stopped = store.Micros(k.Stop)
		}
		if state == Escalated || state == Breached {
			escalated = now
		}
		if state == Breached {
			breached = now
		}
		drn := ""
		if len(k.Meters) == 1 {
			drn = k.Meters[0]
		}
		res, err := tx.Exec(`INSERT INTO charter_cases (standard, case_id, meter_drn, started_at, stopped_at, elapsed_s, state, escalated_at, breached_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (standard, case_id) DO UPDATE SET stopped_at = excluded.stopped_at, elapsed_s = excluded.elapsed_s, state = excluded.state,
				escalated_at = COALESCE(charter_cases.escalated_at, excluded.escalated_at), breached_at = excluded.breached_at, updated_at = excluded.updated_at
			WHERE charter_cases.state NOT IN ('met', 'breached')`,
			s.Code, k.ID, drn, store.Micros(k.Start), stopped, int64(elapsed/time.Second), state, escalated, breached, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 || state != Breached {
			return err
		}
		return e.compensate(ctx, tx, s, k)
	})
}

func (e *Evaluator) compensate(ctx context.Context, tx *store.Tx, s Standard, k kase) error {
	var msgs []notify.Message
	for _, drn := range k.Meters {
		var fixed money.Amount
		if s.Comp.ShareBasis > 0 && e.FixedMonthly != nil {
			var err error
			if fixed, err = e.FixedMonthly(ctx, tx, drn); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		amount := s.Comp.Amount(fixed)
		if amount <= 0 {
			continue
		}
		fresh, err := Grant(tx, Credit{Standard: s.Code, CaseID: k.ID, MeterDRN: drn, Amount: amount})
		if err != nil || !fresh {
			return err
		}
		rs := k.Recipients
		if len(k.Meters) > 1 || len(rs) == 0 || k.MeterPhones {
			phones, err := customer.PhonesForMeters(tx, []string{drn})
			if err != nil {
				return err
			}
			rs = withPhones(phones[drn], k.Recipients)
			if len(k.Meters) > 1 {
				rs = phones[drn]
			}
		}
		for _, r := range rs {
			msgs = append(msgs, e.breachMessage(tx.Now, s, k, drn, amount, r))
		}
	}
	return notify.Enqueue(tx, msgs...)
}

func (e *Evaluator) breachMessage(now time.Time, s Standard, k kase, drn string, amount money.Amount, r customer.Recipient) notify.Message {
	m := notify.Message{Recipient: r.MSISDN, Lane: notify.LaneTransactional, Template: "charter_breach", Language: r.Language,
		Body: BreachText(r.Language, e.Utility, s, k.Ref, drn, amount), Ref: k.ID}
	// The credit waits for the next token anyway: the news can wait for
	// the morning.
	m.NotBefore = e.notBefore(now)
	return m
}
