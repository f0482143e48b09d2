package reconcile

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
)

// PullClient is the part of the Daraja client a pull needs.
type PullClient interface {
	PullTransactions(ctx context.Context, from, to time.Time, offset int) (mpesa.PullPage, error)
}

// Puller reads M-Pesa's Pull API into M-Pesa's records and reconciles what
// it read. M-Pesa keeps that data 48 hours only, so Run pulls every few
// hours, and Pull on demand. Several nodes may run one against the same
// database: a lease lets one pull at a time, it picks up where the last
// pull (of any node) ended, and records are stored once by receipt, so a
// pull repeated after a crash adds nothing twice.
type Puller struct {
	DB        *store.DB
	Client    PullClient
	ShortCode string // the short code pulled, whose payments the pull covers
	// Every is how often Run pulls; default 3 hours.
	Every time.Duration
	// Overlap is how much of the previous window is read again, for
	// transactions M-Pesa lists late; default 1 hour.
	Overlap time.Duration
	// Lag is how far before now Mteja's payments are held to what M-Pesa
	// listed, and where the next pull starts (before Overlap): M-Pesa may
	// list a payment of the last moments a little late, and it must not be
	// flagged as missing; default 2 minutes.
	Lag time.Duration
	// Lease is how long a node may pull before another may take over
	// (it is renewed after each page); default 10 minutes.
	Lease time.Duration
	Log   *slog.Logger // for Run; default slog.Default()
	// OnRecorded runs after a pull recorded payments (to wake the vend
	// worker).
	OnRecorded func()

	node string
}

// Pulled is what a pull did.
type Pulled struct {
	// Skipped is set when a scheduled pull found nothing to do: another
	// node holds the lease, or pulled less than Every ago.
	Skipped  bool
	From, To time.Time // the window read
	// Covered is where Mteja's payments were held to M-Pesa's list up to
	// (To less Lag), and where the next pull starts.
	Covered time.Time
	// Gap is the time since the last pull that M-Pesa no longer holds
	// (nothing pulled for more than 48 hours): a statement must cover it.
	Gap   time.Duration
	Pages int
	Outcome
}

func (p *Puller) defaults() {
	if p.Every <= 0 {
		p.Every = 3 * time.Hour
	}
	if p.Overlap <= 0 {
		p.Overlap = time.Hour
	}
	if p.Lag <= 0 {
		p.Lag = 2 * time.Minute
	}
	if p.Lease <= 0 {
		p.Lease = 10 * time.Minute
	}
	if p.Log == nil {
		p.Log = slog.Default()
	}
	if p.node == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		rand.Read(b)
		p.node = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
	}
}

// Run pulls whenever the last pull, of any node, is Every old, until ctx
// ends. After a failure (M-Pesa busy, the short code not registered for
// the Pull API) it tries again a third of Every later, not at every tick.
func (p *Puller) Run(ctx context.Context) {
	p.defaults()
	tick := min(max(p.Every/12, 100*time.Millisecond), 15*time.Minute)
	t := time.NewTicker(tick)
	defer t.Stop()
	var retry time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Now().Before(retry) {
			continue
		}
		res, err := p.pull(ctx, false)
		switch {
		case err != nil && ctx.Err() == nil:
			retry = time.Now().Add(p.Every / 3)
			p.Log.Warn("reconcile: pull from M-Pesa", "err", err, "again_at", retry)
		case err == nil && !res.Skipped:
			p.Log.Info("reconcile: pulled from M-Pesa", "from", res.From, "to", res.To, "outcome", res.Outcome.String())
		}
		if res.Gap > 0 {
			p.Log.Warn("reconcile: M-Pesa no longer holds part of the time since the last pull; import a statement for it",
				"from", res.From.Add(-res.Gap), "to", res.From)
		}
	}
}

// Pull reads what M-Pesa lists since the last pull (at most 48 hours
// back) and reconciles it, now; when another node is pulling it waits for
// that pull to end, then reads on from there.
func (p *Puller) Pull(ctx context.Context) (Pulled, error) {
	p.defaults()
	return p.pull(ctx, true)
}

// maxPages bounds a pull: at 1,000 rows a page, far more than 48 hours of
// any Paybill.
const maxPages = 10_000

func (p *Puller) pull(ctx context.Context, force bool) (Pulled, error) {
	covered, ok, err := p.lease(ctx, force)
	if err != nil || !ok {
		return Pulled{Skipped: true}, err
	}
	now := p.DB.Now()
	out := Pulled{From: covered.Add(-p.Overlap), To: now, Covered: now.Add(-p.Lag), Outcome: Outcome{Kinds: map[string]int{}}}
	if oldest := pullOldest(now); out.From.Before(oldest) {
		out.From = oldest
		if !covered.IsZero() && covered.Before(oldest) {
			out.Gap = oldest.Sub(covered)
		}
	}
	if err := p.read(ctx, &out); err != nil {
		return out, errors.Join(err, p.release(context.WithoutCancel(ctx)))
	}
	return out, nil
}

// read pulls the window page by page, reconciling each page in a
// transaction of its own, then checks Mteja's payments of the window
// against what M-Pesa listed, moves the cursor on and ends the lease.
func (p *Puller) read(ctx context.Context, out *Pulled) error {
	o := origin{source: SourcePull, pulledAt: p.DB.Now()}
	for offset := 0; out.Pages < maxPages; out.Pages++ {
		page, err := p.Client.PullTransactions(ctx, out.From, out.To, offset)
		if err != nil {
			return err
		}
		if len(page.Transactions) == 0 {
			break
		}
		recs := make([]Record, len(page.Transactions))
		for i, t := range page.Transactions {
			recs[i] = Record{Receipt: t.TransactionID, Kind: KindPayment, CompletedAt: t.Time, Amount: t.Amount, ReasonType: t.TransactionType,
				Payer: t.MSISDN, PayerName: t.Sender, AccountRef: t.BillReference}
		}
		err = p.DB.InTx(ctx, func(tx *store.Tx) error {
			if err := p.renew(tx); err != nil {
				return err
			}
			res, err := newMatcher(ctx, tx, SourcePull).run(recs, o, nil)
			out.add(res)
			return err
		})
		if err != nil {
			return fmt.Errorf("pull page from offset %d: %w", offset, err)
		}
		offset += len(recs)
	}
	err := p.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := p.renew(tx); err != nil {
			return err
		}
		m := newMatcher(ctx, tx, SourcePull)
		res, err := m.run(nil, o, func() error { return m.coverage(out.From, out.Covered, p.ShortCode) })
		if err != nil {
			return err
		}
		out.add(res)
		if _, err := tx.Exec(`UPDATE recon_pull_cursor SET covered_to = $1, lease_until = 0, lease_by = '' WHERE name = 'pull' AND lease_by = $2`,
			store.Micros(out.Covered), p.node); err != nil {
			return err
		}
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := tx.Exec(`INSERT INTO recon_pulls (id, window_from, window_to, row_count, new_count, node, started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			id, store.Micros(out.From), store.Micros(out.To), out.Rows, out.New, p.node, store.Micros(o.pulledAt), store.Micros(tx.Now)); err != nil {
			return err
		}
		return payment.Audit(tx, System, "reconcile.pull", id, fmt.Sprintf("%s to %s: %s", out.From.Format(time.DateTime), out.To.Format(time.DateTime), out.Outcome))
	})
	if err != nil {
		return fmt.Errorf("finish pull: %w", err)
	}
	if out.Recorded > 0 && p.OnRecorded != nil {
		p.OnRecorded()
	}
	return nil
}

// add folds a page's outcome into the pull's.
func (out *Pulled) add(o Outcome) {
	out.Rows += o.Rows
	out.New += o.New
	out.Recorded += o.Recorded
	for k, n := range o.Kinds {
		out.Kinds[k] += n
	}
	out.Exceptions = append(out.Exceptions, o.Exceptions...)
	out.Corrections = append(out.Corrections, o.Corrections...)
}

// lease takes the lease to pull and returns where the last pull ended. A
// scheduled pull (force false) takes it only when no other node holds it
// and the last pull is Every old; a forced one waits for another node's
// pull to end.
func (p *Puller) lease(ctx context.Context, force bool) (time.Time, bool, error) {
	due := int64(math.MaxInt64)
	deadline := time.Now().Add(p.Lease)
	for {
		now := p.DB.Now()
		if !force {
			due = store.Micros(now.Add(-p.Every))
		}
		var covered int64
		err := p.DB.InTx(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(`UPDATE recon_pull_cursor SET lease_until = $1, lease_by = $2 WHERE name = 'pull' AND lease_until < $3 AND covered_to < $4 RETURNING covered_to`,
				store.Micros(now.Add(p.Lease)), p.node, store.Micros(now), due).Scan(&covered)
		})
		switch {
		case err == nil:
			return store.Time(covered), true, nil
		case !errors.Is(err, sql.ErrNoRows):
			return time.Time{}, false, fmt.Errorf("pull lease: %w", err)
		case !force:
			return time.Time{}, false, nil
		case time.Now().After(deadline):
			return time.Time{}, false, fmt.Errorf("pull lease: another node has been pulling for %s", p.Lease)
		}
		select {
		case <-ctx.Done():
			return time.Time{}, false, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// renew extends the lease; it fails when another node took it over (this
// one was too slow), so that two never pull on together.
func (p *Puller) renew(tx *store.Tx) error {
	res, err := tx.Exec(`UPDATE recon_pull_cursor SET lease_until = $1 WHERE name = 'pull' AND lease_by = $2`, store.Micros(tx.Now.Add(p.Lease)), p.node)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errors.New("the pull lease passed to another node")
	}
	return nil
}

// release ends the lease without moving the cursor, after a failed pull.
func (p *Puller) release(ctx context.Context) error {
	return p.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE recon_pull_cursor SET lease_until = 0, lease_by = '' WHERE name = 'pull' AND lease_by = $1`, p.node)
		return err
	})
}
