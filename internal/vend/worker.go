package vend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/tariff"
)

// Worker vends received payments in batches: one transaction claims up to
// Batch payments, vends them all and marks them applied. On PostgreSQL the
// claim skips rows another node holds; on SQLite the single writer does.
type Worker struct {
	DB        *store.DB
	Generator sts.Generator
	Tariffs   *Tariffs
	Log       *slog.Logger
	// Utility is the name on token messages ("Mteja Power").
	Utility string
	// USSD is the code customers dial for their tokens, named in notices.
	USSD string
	// Batch is the most payments one transaction vends (default 500).
	Batch int
	// MaxAttempts before a payment that keeps failing goes to suspense with
	// the error as its reason (default 10). Failures that retrying cannot
	// fix (amount out of limits, bad meter data) go there at once.
	MaxAttempts int
	// OnVended runs after each commit that vended something (to wake the
	// delivery worker).
	OnVended func(n int)
	// Yield, if set, runs before each batch is claimed: the app passes the
	// delivery worker's TokenTurn, so that the token messages of the last
	// batch are claimed before the next batch takes the writer (the
	// overload policy: see notify's turn.go).
	Yield func(ctx context.Context)
	// Loops is how many batches Run may vend at once (default 1: SQLite
	// has one writer). Past the first, a loop joins only while the queue
	// is deep: see Run.
	Loops int

	wake  chan struct{}
	deep  chan struct{} // a full batch was claimed: a helper may join
	front store.Front   // where claims begin on PostgreSQL
	once  sync.Once
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		if w.Batch == 0 {
			w.Batch = 500
		}
		if w.MaxAttempts == 0 {
			w.MaxAttempts = 10
		}
		if w.Log == nil {
			w.Log = slog.Default()
		}
		if w.Utility == "" {
			w.Utility = "Mteja"
		}
		w.Loops = max(w.Loops, 1)
		w.deep = make(chan struct{}, w.Loops-1) // one a helper; none with one loop
	})
}

// Wake tells the worker that payments are waiting.
func (w *Worker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run vends until ctx ends. It polls as well as waiting for Wake, because
// another node may have stored the payment.
//
// Of its Loops, the first vends whatever is waiting; each of the others
// joins only while batches come out full (the queue is deeper than one
// batch) and goes back to waiting at the first batch that is not. On
// PostgreSQL concurrent batches commit in parallel, which a backlog
// needs, but while one loop keeps up the others would only split the
// same payments into smaller batches, each paying a claim, its meter
// reads and a commit: with three nodes of four loops each, twelve
// batches of about twenty payments took turns on a saturated server
// (measured, three nodes: 1,800-2,130 payments/s end to end with every
// loop claiming, 2,130-2,710 with helpers that wait for a full batch).
func (w *Worker) Run(ctx context.Context) {
	w.init()
	var wg sync.WaitGroup
	for range w.Loops - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.help(ctx)
		}()
	}
	defer wg.Wait()
	for {
		n, ok := w.batch(ctx)
		if !ok {
			return
		}
		if n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// help is a loop past the first: it vends while batches come out full.
func (w *Worker) help(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.deep:
		}
		for {
			n, ok := w.batch(ctx)
			if !ok {
				return
			}
			if n < w.Batch {
				break
			}
		}
	}
}

// batch vends one batch for Run and returns how many payments it claimed;
// false once ctx has ended. After an error it waits a second and claims
// nothing. A full batch tells a waiting helper to join.
func (w *Worker) batch(ctx context.Context) (int, bool) {
	if w.Yield != nil {
		w.Yield(ctx)
	}
	claimed, _, err := w.runOnce(ctx)
	if ctx.Err() != nil {
		return 0, false
	}
	if err != nil {
		w.Log.Error("vend batch", "err", err)
		select {
		case <-ctx.Done():
			return 0, false
		case <-time.After(time.Second):
		}
		return 0, true
	}
	if claimed >= w.Batch {
		select {
		case w.deep <- struct{}{}:
		default:
		}
	}
	return claimed, true
}

// permanent marks a vend failure that retrying will not fix.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// RunOnce vends one batch and returns the number of payments it settled
// (vended or moved to suspense).
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	_, settled, err := w.runOnce(ctx)
	return settled, err
}

// runOnce vends one batch and returns how many payments it claimed and how
// many of them it settled.
func (w *Worker) runOnce(ctx context.Context) (claimed, settled int, err error) {
	w.init()
	var vended int
	err = w.DB.InTx(ctx, func(tx *store.Tx) error {
		claimed, vended, settled = 0, 0, 0
		ps, err := claim(tx, w.Batch, &w.front)
		if err != nil || len(ps) == 0 {
			return err
		}
		claimed = len(ps)
		drns := make([]string, 0, len(ps))
		for _, p := range ps {
			drns = append(drns, p.MeterDRN)
		}
		meters, err := customer.LockMeters(tx, drns)
		if err != nil {
			return err
		}
		phones, err := customer.PhonesForMeters(tx, drns)
		if err != nil {
			return err
		}
		// Compensation is read after the meters are locked, so no other
		// vend can take it meanwhile; one query for the batch.
		credits, err := charter.WaitingFor(tx, drns)
		if err != nil {
			return err
		}
		// The vend time is read after the meters are locked: a batch that
		// waited for another's lock on a meter vends after it, so its
		// tokens' times follow the TID order.
		b := &batch{tx: tx, now: w.DB.Now().UTC(), credits: credits}
		if b.now.Before(tx.Now) {
			b.now = tx.Now
		}
		for _, p := range ps {
			m := meters[p.MeterDRN]
			if m == nil {
				b.suspend(p, fmt.Sprintf("meter %s no longer exists", p.MeterDRN))
				settled++
				continue
			}
			// Intake sends a payment for a meter that is not active to
			// suspense; this catches one received before the meter was
			// deactivated or swapped out, which must not be vended either.
			if m.Status != customer.MeterActive {
				b.suspend(p, fmt.Sprintf("meter %s is %s", m.DRN, m.Status))
				settled++
				continue
			}
			err := w.vend(ctx, b, p, m, phones[m.DRN])
			var perm permanent
			switch {
			case err == nil:
				vended++
				settled++
			case errors.As(err, &perm) || p.Attempts+1 >= w.MaxAttempts:
				w.Log.Warn("payment to suspense", "receipt", p.Receipt, "meter", p.MeterDRN, "err", err)
				b.suspend(p, err.Error())
				settled++
			default:
				w.Log.Warn("vend failed, will retry", "receipt", p.Receipt, "meter", p.MeterDRN, "attempt", p.Attempts+1, "err", err)
				b.retry(p, err)
			}
		}
		return b.flush()
	})
	if err != nil {
		return 0, 0, err
	}
	if vended > 0 && w.OnVended != nil {
		w.OnVended(vended)
	}
	return claimed, settled, nil
}

// claim takes electricity's received payments; another service's (the
// ISP's) are its own worker's.
//
// On PostgreSQL the claim locks each payment's meter with it and skips
// payments whose meter another batch holds. Batches on several loops and
// nodes then never share a meter: claiming payments alone, two batches of
// 500 over 50,000 meters share a few meters nearly every time, and the
// second waits for the whole of the first (measured: three of four vend
// loops waiting on meter locks, 1,070 vends/s). Meters are never deleted
// and a received electricity payment always names one, so the inner join
// leaves no payment behind. There the claim also begins at the node's
// front, not at the start of the queue (see store.Front).
func claim(tx *store.Tx, n int, f *store.Front) ([]payment.Payment, error) {
	q := `SELECT id, receipt, amount, currency, notify_msisdn, meter_drn, attempts, paid_at, received_at FROM payments
		WHERE state = 'received' AND service = 'electricity' AND run_after <= $1 ORDER BY received_at LIMIT $2`
	args := []any{store.Micros(tx.Now), n}
	var sweep bool
	if tx.Dialect == store.Postgres {
		var from int64
		from, sweep = f.Start(tx.Now)
		q = `SELECT p.id, p.receipt, p.amount, p.currency, p.notify_msisdn, p.meter_drn, p.attempts, p.paid_at, p.received_at
			FROM payments p JOIN meters m ON m.drn = p.meter_drn
			WHERE p.state = 'received' AND p.service = 'electricity' AND p.run_after <= $1 AND p.received_at >= $3
			ORDER BY p.received_at LIMIT $2 FOR UPDATE OF p, m SKIP LOCKED`
		args = append(args, from)
	}
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("claim payments: %w", err)
	}
	defer rows.Close()
	var out []payment.Payment
	var oldest int64
	for rows.Next() {
		var p payment.Payment
		var amount, paid, received int64
		if err := rows.Scan(&p.ID, &p.Receipt, &amount, &p.Currency, &p.NotifyMSISDN, &p.MeterDRN, &p.Attempts, &paid, &received); err != nil {
			return nil, fmt.Errorf("claim payments: %w", err)
		}
		p.Amount, p.PaidAt, p.ReceivedAt = money.Amount(amount), store.Time(paid), store.Time(received)
		if len(out) == 0 {
			oldest = received
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim payments: %w", err)
	}
	if tx.Dialect == store.Postgres {
		f.Advance(tx.Now, sweep, oldest, len(out), n)
	}
	return out, nil
}

// vend prices p, makes its tokens and stages every row it writes in b.
func (w *Worker) vend(ctx context.Context, b *batch, p payment.Payment, m *customer.Meter, recipients []customer.Recipient) error {
	t, ok := b.tariffs[m.TariffID]
	if !ok {
		var err error
		if t, err = w.Tariffs.Get(ctx, b.tx, m.TariffID); err != nil {
			return err
		}
		if b.tariffs == nil {
			b.tariffs = map[string]tariff.Tariff{}
		}
		b.tariffs[m.TariffID] = t
	}
	version, err := t.At(p.PaidAt)
	if err != nil {
		return permanent{err}
	}
	// Block tariffs count energy per calendar month, in the utility's zone.
	month := monthOf(p.PaidAt)
	// Compensation the charter owes the meter buys energy with the payment.
	// Should the two together pass the tariff's limits, the payment vends
	// alone and the compensation waits for the next.
	credits := b.credits[m.DRN]
	in := PriceInput(*m, p.Amount+charter.Sum(credits), p.PaidAt)
	q, err := version.Price(in)
	if err != nil && len(credits) > 0 {
		credits = nil
		in = PriceInput(*m, p.Amount, p.PaidAt)
		q, err = version.Price(in)
	}
	if err != nil {
		var le *tariff.LimitError
		if errors.As(err, &le) {
			return permanent{err}
		}
		return permanent{fmt.Errorf("price: %w", err)}
	}

	cur, err := m.STS()
	if err != nil {
		return permanent{err}
	}
	v := Vend{ID: uuid.Must(uuid.NewV7()).String(), PaymentID: p.ID, Receipt: p.Receipt, MeterDRN: m.DRN, TariffID: m.TariffID,
		TariffVersion: version.EffectiveFrom.Format("2006-01-02"), Amount: p.Amount, EnergyWh: q.Energy, Tenths: q.TokenTenths, Quote: q, Compensation: charter.Sum(credits), CreatedAt: b.now}

	// A pending key change rides along: its two tokens come first, and the
	// credit token is made under the new key the meter will then hold.
	next := *m
	if pk, err := m.Pending(); err != nil {
		return permanent{err}
	} else if pk != nil {
		next = pk.Apply(next)
		nm, err := next.STS()
		if err != nil {
			return permanent{fmt.Errorf("pending key change: %w", err)}
		}
		kts, err := w.Generator.KeyChange(ctx, cur, sts.KeyChangeRequest{New: nm, Rollover: pk.Rollover})
		if err != nil {
			return fmt.Errorf("key change tokens: %w", err)
		}
		for i, kt := range kts {
			kind := KindKeyChange1
			if i == 1 {
				kind = KindKeyChange2
			}
			v.Tokens = append(v.Tokens, Token{Seq: i + 1, Kind: kind, Class: int(kt.Class()), Subclass: 3 + i, Digits: kt.String()})
		}
		if pk.Rollover || pk.BaseDate != m.BaseDate {
			next.LastTID = 0 // the meter forgets its TIDs
		}
		next.PendingKey = ""
		cur = nm
	}

	nowTID, err := cur.BaseDate.TID(b.now)
	if err != nil {
		return permanent{fmt.Errorf("meter %s: %w", m.DRN, err)}
	}
	tid, err := sts.Next(sts.TID(next.LastTID), nowTID)
	if err != nil {
		return permanent{fmt.Errorf("meter %s: %w", m.DRN, err)}
	}
	tok, err := w.Generator.Credit(ctx, cur, sts.CreditRequest{Kind: sts.Electricity, Tenths: uint64(q.TokenTenths), TID: tid, RND: uint8(rand.IntN(16))})
	if err != nil {
		return fmt.Errorf("credit token: %w", err)
	}
	v.Tokens = append(v.Tokens, Token{Seq: len(v.Tokens) + 1, Kind: KindCredit, Class: 0, Subclass: 0, Digits: tok.String(), TID: int64(tid), Tenths: q.TokenTenths})
	for i := range v.Tokens {
		v.Tokens[i].ID = uuid.Must(uuid.NewV7()).String()
		v.Tokens[i].VendID, v.Tokens[i].MeterDRN, v.Tokens[i].CreatedAt = v.ID, m.DRN, b.now
	}

	next.LastTID = int64(tid)
	if month >= m.Month {
		next.Month = month
		next.MonthWh = in.MonthEnergy + q.Energy
	} else {
		next.MonthWh = m.MonthWh + q.Energy // a late payment from last month counts in this one
	}
	next.Debt = m.Debt - q.DebtRecovered + q.FixedCarried
	// The meter is locked and the credits were read after the lock, so
	// none can be taken by another vend; if one were, the batch fails
	// whole rather than give it twice.
	if err := charter.Take(b.tx, v.ID, credits); err != nil {
		b.fatal = err
		return err
	}
	if len(credits) > 0 {
		delete(b.credits, m.DRN) // taken: the meter's next payment in the batch vends alone
	}
	*m = next
	b.meters = append(b.meters, m)

	b.vends = append(b.vends, v)
	b.ledger = append(b.ledger, postings(v, q, version.FixedMonthly))
	b.applied = append(b.applied, p.ID)
	b.messages = append(b.messages, w.tokenMessages(v, p, recipients)...)
	return nil
}

// postings moves the payment out of customer credit into the receipt's
// lines: revenue, VAT, pass-through charges and levies, and debt recovered
// (the batch books the sum of its vends' postings: see JournalID).
// The part of the month's fixed charge the payment could not cover becomes
// the meter's debt, so it is owed to the books as well: debt receivable
// against the charge's revenue and its VAT.
func postings(v Vend, q tariff.Quote, fixedMonthly money.Amount) ledger.Txn {
	t := ledger.Txn{ID: "vend:" + v.ID, Kind: "vend", Ref: v.ID}
	t.Postings = append(t.Postings, ledger.Posting{Account: ledger.CustomerCredit, Amount: v.Amount},
		ledger.Posting{Account: ledger.CompensationOwed, Amount: v.Compensation})
	for _, l := range q.Lines {
		acct := "liability:charge:" + l.Code
		switch l.Code {
		case "energy":
			acct = ledger.EnergyRevenue
		case "vat":
			acct = ledger.VATPayable
		case "fixed":
			acct = ledger.FixedRevenue
		case "debt":
			acct = ledger.DebtReceivable
		}
		t.Postings = append(t.Postings, ledger.Posting{Account: acct, Amount: -l.Amount})
	}
	if q.FixedCarried > 0 {
		fixed, vat := CarriedFixed(q, fixedMonthly)
		t.Postings = append(t.Postings, ledger.Posting{Account: ledger.DebtReceivable, Amount: q.FixedCarried},
			ledger.Posting{Account: ledger.FixedRevenue, Amount: -fixed},
			ledger.Posting{Account: ledger.VATPayable, Amount: -vat})
	}
	return t
}

// Postings is the ledger transaction of a vend, as the worker books it;
// fixedMonthly is the month's fixed charge of the tariff version that
// priced it. Tools that write vends in bulk (bench preload) book their
// journals with it, so their books are the worker's.
func Postings(v Vend, fixedMonthly money.Amount) ledger.Txn {
	return postings(v, v.Quote, fixedMonthly)
}

// JournalID names the ledger journal that books a batch of vends, after
// its first vend, which is also the journal's Ref.
func JournalID(firstVendID string) string { return "vends:" + firstVendID }

// CarriedFixed splits the part of the month's fixed charge a payment could
// not cover (q.FixedCarried, VAT included) into the charge and its VAT, as
// the vend's postings book them.
func CarriedFixed(q tariff.Quote, fixedMonthly money.Amount) (fixed, vat money.Amount) {
	fixed = min(max(fixedMonthly-q.FixedCharge, 0), q.FixedCarried)
	return fixed, q.FixedCarried - fixed
}

func (w *Worker) tokenMessages(v Vend, p payment.Payment, recipients []customer.Recipient) []notify.Message {
	if p.NotifyMSISDN != "" {
		dup := false
		for _, r := range recipients {
			dup = dup || r.MSISDN == p.NotifyMSISDN
		}
		if !dup {
			recipients = append(recipients, customer.Recipient{MSISDN: p.NotifyMSISDN, Language: "en"})
		}
	}
	var out []notify.Message
	for _, r := range recipients {
		body, err := notify.Render("token", r.Language, TokenSMS(w.Utility, v))
		if err != nil {
			w.Log.Error("render token message", "vend", v.ID, "err", err)
			continue
		}
		out = append(out, notify.Message{Recipient: r.MSISDN, Lane: notify.LaneToken, Template: "token", Language: r.Language, Body: body, Ref: v.ID})
	}
	return out
}

// TokenSMS is the token message's data for a vend.
func TokenSMS(utility string, v Vend) notify.TokenSMS {
	d := notify.TokenSMS{Utility: utility, Meter: v.MeterDRN, Units: v.Quote.Units,
		Amount: v.Amount.Format(currencyOr(v.Quote.Currency)), TokenAmount: v.Quote.Line("energy").Amount.String(),
		Other: v.Quote.ChargesExceptEnergy().String(), Receipt: v.Receipt, Date: v.CreatedAt.In(tariff.Zone).Format("2006-01-02 15:04")}
	if v.Compensation > 0 {
		d.Compensation = v.Compensation.String()
	}
	for _, t := range v.Tokens {
		if t.Kind == KindCredit {
			d.Token = t.Grouped()
		} else {
			d.KeyTokens = append(d.KeyTokens, notify.KeyToken{N: t.Seq, Digits: t.Grouped()})
		}
	}
	return d
}

func currencyOr(c string) string {
	if c == "" {
		return "KES"
	}
	return c
}
