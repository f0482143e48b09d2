package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store/storetest"
)

// fakePull plays the Pull API over a fixed list of transactions, two a
// page. When gate is set, its first call waits on it; when failAt is set,
// that call fails.
type fakePull struct {
	mu     sync.Mutex
	txs    []mpesa.PullTransaction
	calls  int
	gate   chan struct{}
	failAt int
}

func (f *fakePull) PullTransactions(ctx context.Context, from, to time.Time, offset int) (mpesa.PullPage, error) {
	f.mu.Lock()
	f.calls++
	n, gate := f.calls, f.gate
	f.gate = nil
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if n == f.failAt {
		return mpesa.PullPage{}, errors.New("spike arrest")
	}
	var in []mpesa.PullTransaction
	for _, t := range f.txs {
		if !t.Time.Before(from) && !t.Time.After(to) {
			in = append(in, t)
		}
	}
	return mpesa.PullPage{Transactions: in[min(offset, len(in)):min(offset+2, len(in))]}, nil
}

func (f *fakePull) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// Two nodes on one database pull one at a time, and what the second
// reads again adds nothing; a scheduled pull on a node skips when
// another pulled lately, and a pull that failed half way leaves the cursor
// where it was and the lease free.
func TestPullOneNodeAtATime(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			db1, db2 := storetest.OpenDSN(t, dsn), storetest.OpenDSN(t, dsn)
			now := time.Now().UTC().Truncate(time.Second)
			gate := make(chan struct{})
			f := &fakePull{gate: gate}
			for i, ago := range []time.Duration{3 * time.Hour, time.Hour, time.Minute} {
				f.txs = append(f.txs, mpesa.PullTransaction{TransactionID: fmt.Sprintf("TPULL%05d", i), Time: now.Add(-ago), MSISDN: "254708374149",
					BillReference: "nobody's meter", Amount: money.MustFromMajor(100 * int64(i+1))})
			}
			a := &Puller{DB: db1, Client: f, Lease: 5 * time.Second}
			b := &Puller{DB: db2, Client: f, Lease: 5 * time.Second}
			b.defaults()

			first := make(chan Pulled, 1)
			go func() {
				res, err := a.Pull(t.Context())
				if err != nil {
					t.Error(err)
				}
				first <- res
			}()
			for f.count() == 0 {
				time.Sleep(time.Millisecond)
			}
			if res, err := b.pull(t.Context(), false); err != nil || !res.Skipped {
				t.Errorf("a scheduled pull while another node pulls: %+v, %v; want it skipped", res, err)
			}
			second := make(chan Pulled, 1)
			go func() {
				res, err := b.Pull(t.Context())
				if err != nil {
					t.Error(err)
				}
				second <- res
			}()
			time.Sleep(50 * time.Millisecond)
			if n := f.count(); n != 1 {
				t.Errorf("%d calls to M-Pesa while the first pull held the lease, want 1", n)
			}
			close(gate)
			ra, rb := <-first, <-second
			if ra.Rows != 3 || ra.New != 3 || ra.Recorded != 3 || ra.Pages != 2 {
				t.Errorf("first pull: %v in %d pages", ra.Outcome, ra.Pages)
			}
			if from := ra.Covered.Truncate(time.Microsecond).Add(-time.Hour); rb.Rows != 2 || rb.New != 0 || rb.Recorded != 0 || len(rb.Exceptions) != 0 || !rb.From.Equal(from) {
				t.Errorf("second pull: %v from %s; want it to read on from %s (the first's end, less the overlap), adding nothing", rb.Outcome, rb.From, from)
			}
			if res, err := b.pull(t.Context(), false); err != nil || !res.Skipped {
				t.Errorf("a scheduled pull just after one: %+v, %v; want it skipped", res, err)
			}
			var payments, records int
			db1.Read().QueryRow(`SELECT count(*) FROM payments`).Scan(&payments)
			db1.Read().QueryRow(`SELECT count(*) FROM mpesa_records WHERE pulled_at <> 0`).Scan(&records)
			if payments != 3 || records != 3 {
				t.Errorf("%d payments and %d pulled records, want 3 and 3", payments, records)
			}

			// A pull that fails half way: nothing moves, and the lease is
			// free at once.
			var covered int64
			db1.Read().QueryRow(`SELECT covered_to FROM recon_pull_cursor`).Scan(&covered)
			f.failAt = f.count() + 2
			if _, err := a.Pull(t.Context()); err == nil {
				t.Fatal("a pull whose second page failed succeeded")
			}
			var after, lease int64
			db1.Read().QueryRow(`SELECT covered_to, lease_until FROM recon_pull_cursor`).Scan(&after, &lease)
			if after != covered || lease != 0 {
				t.Errorf("after a failed pull the cursor is %d (was %d) and the lease runs to %d; want them unmoved and free", after, covered, lease)
			}
			b.Every = time.Nanosecond // due at once
			if res, err := b.pull(t.Context(), false); err != nil || res.Skipped || res.Rows != 2 || res.Gap != 0 {
				t.Errorf("a scheduled pull after the failed one: %v, gap %s, %v", res.Outcome, res.Gap, err)
			}

			// Nodes down for 50 hours: the pull says which time M-Pesa no
			// longer holds (it keeps 48 hours; the pull keeps 5 minutes
			// clear of that edge), and so does the state staff see, before
			// the pull and after it.
			down := now.Add(-50 * time.Hour)
			if _, err := db1.Write().Exec(`UPDATE recon_pull_cursor SET covered_to = $1`, down.UnixMicro()); err != nil {
				t.Fatal(err)
			}
			if _, err := db1.Write().Exec(`UPDATE recon_pulls SET window_to = $1 WHERE finished_at = (SELECT max(finished_at) FROM recon_pulls)`, down.UnixMicro()); err != nil {
				t.Fatal(err)
			}
			gap := func(s Span) time.Duration { return s.To.Sub(s.From) }
			st, err := GetPullState(t.Context(), db1.Read(), time.Now(), 10)
			if err != nil || !st.Pending.From.Equal(down) || gap(st.Pending) < 125*time.Minute || gap(st.Pending) > 126*time.Minute || len(st.Gaps) != 0 {
				t.Errorf("state 50 hours after the last pull: %+v, %v; want about 2 h 5 min pending from %s, and no gap yet", st, err, down)
			}
			res, err := a.Pull(t.Context())
			if err != nil || res.Gap < 125*time.Minute || res.Gap > 126*time.Minute {
				t.Errorf("a pull 50 hours after the last: gap %s, %v; want about 2 h 5 min", res.Gap, err)
			}
			st, err = GetPullState(t.Context(), db1.Read(), time.Now(), 10)
			if err != nil || !st.Pending.From.IsZero() || len(st.Gaps) != 1 || !st.Gaps[0].From.Equal(down) || gap(st.Gaps[0]) < 125*time.Minute || gap(st.Gaps[0]) > 126*time.Minute ||
				len(st.Pulls) != 4 || !st.CoveredTo.Equal(res.Covered.Truncate(time.Microsecond)) {
				t.Errorf("state after that pull: %+v, %v; want the gap of about 2 h 5 min from %s between the last two of 4 pulls, none pending", st, err, down)
			}
		})
	}
}

// Run pulls by itself once a pull is due, on every engine.
func TestRunPulls(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			f := &fakePull{txs: []mpesa.PullTransaction{{TransactionID: "TRUN000001", Time: time.Now().Add(-time.Minute), MSISDN: "254708374149",
				BillReference: "x", Amount: money.MustFromMajor(100)}}}
			woke := make(chan struct{}, 10)
			p := &Puller{DB: db, Client: f, Every: time.Second, Lag: time.Millisecond, OnRecorded: func() { woke <- struct{}{} }}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan struct{})
			go func() {
				defer close(done)
				p.Run(ctx)
			}()
			select {
			case <-woke:
			case <-time.After(20 * time.Second):
				t.Fatal("Run did not pull")
			}
			cancel()
			<-done
			var n int
			if err := db.Read().QueryRow(`SELECT count(*) FROM payments WHERE receipt = 'TRUN000001'`).Scan(&n); err != nil || n != 1 {
				t.Errorf("%d payments recorded by Run's pull (%v), want 1", n, err)
			}
		})
	}
}
