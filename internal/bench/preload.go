package bench

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// Preloaded is what Preload wrote.
type Preloaded struct {
	Vends   int     `json:"vends"`
	Meters  int     `json:"meters"`
	Seconds float64 `json:"seconds"`
}

// preloadBatch is how many past vends one transaction writes: large
// transactions, so that the fsync of each commit is paid rarely.
const preloadBatch = 5_000

// vendsPerMeter spreads preloaded vends over one meter (and customer) per
// this many vends, as a utility's history spreads a year of vends over its
// customers.
const vendsPerMeter = 20

// Preload fills db with n past vends without running the vend path: per
// vend a customer's payment (applied), the vend, its credit token, the
// payment's and the vend's ledger transactions and the token message,
// delivered; plus one customer with a phone and a meter per 20 vends. The
// rows are written as multi-row INSERTs in transactions of 5,000 vends.
// Prices come from the sample tariff and postings from vend.Postings, so
// the books balance as the worker's do. On PostgreSQL the rows of a
// transaction go by COPY instead. Receipts start with "PREL" and
// meter numbers at 07 1000 0000, apart from what Vend sends and seeds.
// The vends are spread over the 90 days before now, oldest first. On
// PostgreSQL the caller runs ANALYZE after, as Vend does, so that the
// planner knows the tables have grown.
func Preload(ctx context.Context, db *store.DB, n int) (Preloaded, error) {
	start := time.Now()
	if n <= 0 {
		return Preloaded{}, nil
	}
	meters := max(n/vendsPerMeter, 1)
	t, err := preloadTariff(ctx, db)
	if err != nil {
		return Preloaded{}, err
	}
	now := db.Now().UTC()
	from := now.Add(-90 * 24 * time.Hour)
	step := 90 * 24 * time.Hour / time.Duration(n)
	quotes, err := preloadQuotes(t, from)
	if err != nil {
		return Preloaded{}, err
	}
	if err := preloadMeters(ctx, db, meters, n, from); err != nil {
		return Preloaded{}, err
	}
	// The next batch's rows are made while this one is written, so the
	// writer waits for neither the other core nor the formatting.
	batches := make(chan preloadRows, 1)
	go func() {
		defer close(batches)
		for lo := 0; lo < n; lo += preloadBatch {
			select {
			case batches <- makePreloadRows(lo, min(lo+preloadBatch, n), meters, quotes, from, step):
			case <-ctx.Done():
				return
			}
		}
	}()
	for b := range batches {
		switch {
		case b.err != nil:
		case db.Dialect == store.Postgres:
			b.err = b.copyPostgres(ctx, db)
		default:
			b.err = db.InTx(ctx, b.write)
		}
		if b.err != nil {
			for range batches { // let the maker finish
			}
			return Preloaded{}, fmt.Errorf("preload vends %d-%d: %w", b.lo, b.hi, b.err)
		}
	}
	if err := ctx.Err(); err != nil {
		return Preloaded{}, err
	}
	return Preloaded{Vends: n, Meters: meters, Seconds: time.Since(start).Seconds()}, nil
}

// preloadTariff stores the sample tariff (as seed does) and returns it.
func preloadTariff(ctx context.Context, db *store.DB) (tariff.Tariff, error) {
	var t tariff.Tariff
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		t, err = vend.SaveTariff(tx, app.SampleTariffID, tariff.SampleYAML())
		return err
	})
	return t, err
}

// pricedAmount is one amount's price, computed once: every preloaded vend
// of that amount has the same receipt lines.
type pricedAmount struct {
	amount money.Amount
	quote  tariff.Quote
	json   string       // the quote as vends.quote stores it
	fixed  money.Amount // the version's fixed monthly charge
	ver    string
}

// preloadQuotes prices the 50 amounts Vend's callbacks carry (KES 100 to
// 590) for a meter's first purchase of the month.
func preloadQuotes(t tariff.Tariff, at time.Time) ([]pricedAmount, error) {
	var out []pricedAmount
	for k := range 50 {
		a := money.Amount((100 + k*10) * 100)
		q, v, err := vend.Quote(t, a, nil, at)
		if err != nil {
			return nil, fmt.Errorf("preload: price %s: %w", a, err)
		}
		j, err := json.Marshal(q)
		if err != nil {
			return nil, fmt.Errorf("preload: quote of %s: %w", a, err)
		}
		out = append(out, pricedAmount{amount: a, quote: q, json: string(j), fixed: v.FixedMonthly, ver: v.EffectiveFrom.Format("2006-01-02")})
	}
	return out, nil
}

// preloadMeter is the i-th preloaded meter's number.
func preloadMeter(i int) string {
	drn, _ := meterNumber(10_000_000 + i)
	return drn
}

// preloadMeters writes the customers, their phones and their meters, each
// meter's last TID that of its last preloaded vend.
func preloadMeters(ctx context.Context, db *store.DB, meters, n int, from time.Time) error {
	created := store.Micros(from)
	for lo := 0; lo < meters; lo += preloadBatch {
		hi := min(lo+preloadBatch, meters)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			var cs, phones, ms []any
			for i := lo; i < hi; i++ {
				id := uuid.Must(uuid.NewV7()).String()
				cs = append(cs, id, fmt.Sprintf("Preloaded customer %d", i), "en", created)
				phones = append(phones, id, fmt.Sprintf("2541%08d", i))
				lastTID := int64((n - 1 - i) / meters) // vend k goes to meter k % meters with TID k / meters + 1
				ms = append(ms, preloadMeter(i), id, "123456", 1, 1, 2, 255, 2014, "EA07", "02", app.SampleTariffID, lastTID+1, created, created)
			}
			if err := insertRows(tx, preloadCustomers, cs); err != nil {
				return err
			}
			if err := insertRows(tx, preloadPhones, phones); err != nil {
				return err
			}
			return insertRows(tx, preloadMetersTable, ms)
		})
		if err != nil {
			return fmt.Errorf("preload meters %d-%d: %w", lo, hi, err)
		}
	}
	return nil
}

// preloadRows are one transaction's rows of vends lo to hi-1, flattened
// for insertRows.
type preloadRows struct {
	lo, hi                  int
	pays, vends, toks, msgs []any
	txns                    []ledger.Txn
	err                     error
}

// makePreloadRows makes the rows of vends lo to hi-1.
func makePreloadRows(lo, hi, meters int, quotes []pricedAmount, from time.Time, step time.Duration) preloadRows {
	r := preloadRows{lo: lo, hi: hi}
	r.err = r.make(meters, quotes, from, step)
	return r
}

func (r *preloadRows) make(meters int, quotes []pricedAmount, from time.Time, step time.Duration) error {
	var pays, vends, toks, msgs []any
	var txns, sales []ledger.Txn
	var first string // the first vend, whose ID names the journal
	for i := r.lo; i < r.hi; i++ {
		pa := quotes[i%len(quotes)]
		m := i % meters
		drn := preloadMeter(m)
		msisdn := fmt.Sprintf("2541%08d", m)
		at := from.Add(time.Duration(i) * step)
		us := store.Micros(at)
		pid, vid := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
		rcpt := "PREL" + receipt(i)[4:]
		pays = append(pays, pid, payment.MpesaC2B, rcpt, int64(pa.amount), "KES", msisdn, "PRELOADED", msisdn, drn, drn, "888880", "applied", us, us, us)
		v := vend.Vend{ID: vid, PaymentID: pid, Receipt: rcpt, MeterDRN: drn, TariffID: app.SampleTariffID, TariffVersion: pa.ver,
			Amount: pa.amount, EnergyWh: pa.quote.Energy, Tenths: pa.quote.TokenTenths, Quote: pa.quote, CreatedAt: at}
		if i == r.lo {
			first = vid
		}
		vends = append(vends, vid, pid, drn, v.TariffID, v.TariffVersion, int64(v.Amount), v.EnergyWh, v.Tenths, pa.json, us, vend.JournalID(first))
		digits := tokenDigits()
		v.Tokens = []vend.Token{{Seq: 1, Kind: vend.KindCredit, Digits: digits}}
		toks = append(toks, uuid.Must(uuid.NewV7()).String(), vid, drn, 1, vend.KindCredit, 0, 0, digits, int64(i/meters+1), v.Tenths, us)
		body, err := notify.Render("token", "en", vend.TokenSMS("Mteja Power", v))
		if err != nil {
			return fmt.Errorf("preload: token message: %w", err)
		}
		sent := us + 1_500_000 // submitted 1.5 s after the vend, delivered 3 s after
		msgs = append(msgs, uuid.Must(uuid.NewV7()).String(), msisdn, notify.ChannelSMS, notify.LaneToken, "token", "en", body, vid,
			notify.StateDelivered, 1, "smpp", "preload-"+vid, us, us, sent, sent+1_500_000, sent+1_500_000)
		txns = append(txns, ledger.Transfer("pay:"+pid, "payment", pid, ledger.MpesaClearing, ledger.CustomerCredit, pa.amount))
		sales = append(sales, vend.Postings(v, pa.fixed))
	}
	// Each transaction's vends book one journal, as a vend batch does.
	j, err := ledger.Journal(vend.JournalID(first), "vends", first, sales...)
	if err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	r.pays, r.vends, r.toks, r.msgs, r.txns = pays, vends, toks, msgs, append(txns, j)
	return nil
}

// Columns of the preloaded tables, in the order their rows are made.
var (
	preloadCustomers   = preloadTable{"customers", []string{"id", "name", "language", "created_at"}}
	preloadPhones      = preloadTable{"customer_phones", []string{"customer_id", "msisdn"}}
	preloadMetersTable = preloadTable{"meters", []string{"drn", "customer_id", "sgc", "ti", "krn", "kt", "ken", "base_date", "algorithm", "dkga", "tariff_id", "last_tid", "created_at", "updated_at"}}
	preloadPayments    = preloadTable{"payments", []string{"id", "provider", "receipt", "amount", "currency", "payer", "payer_name", "notify_msisdn", "account_ref", "meter_drn", "short_code", "state", "paid_at", "received_at", "resolved_at"}}
	preloadVendsTable  = preloadTable{"vends", []string{"id", "payment_id", "meter_drn", "tariff_id", "tariff_version", "amount", "energy_wh", "tenths", "quote", "created_at", "journal_id"}}
	preloadTokens      = preloadTable{"tokens", []string{"id", "vend_id", "meter_drn", "seq", "kind", "class", "subclass", "digits", "tid", "tenths", "created_at"}}
	preloadMessages    = preloadTable{"messages", []string{"id", "recipient", "channel", "lane", "template", "language", "body", "ref", "state", "attempts", "route", "provider_id", "queued_at", "next_attempt_at", "submitted_at", "delivered_at", "finished_at"}}
	preloadPostings    = preloadTable{"ledger_postings", []string{"txn_id", "kind", "ref", "account", "amount", "created_at"}}
)

// preloadTable names a table and the columns preload writes.
type preloadTable struct {
	name string
	cols []string
}

// write inserts the rows in tx.
func (r *preloadRows) write(tx *store.Tx) error {
	for _, t := range []struct {
		table preloadTable
		rows  []any
	}{{preloadPayments, r.pays}, {preloadVendsTable, r.vends}, {preloadTokens, r.toks}, {preloadMessages, r.msgs}} {
		if err := insertRows(tx, t.table, t.rows); err != nil {
			return err
		}
	}
	return ledger.Post(tx, r.txns...)
}

// insertRows inserts the rows flattened in args (a value a column) into
// t, in as few statements as the engines' limits on parameters allow.
func insertRows(tx *store.Tx, t preloadTable, args []any) error {
	cols := len(t.cols)
	per := 30_000 / cols // SQLite allows 32,766 parameters, PostgreSQL 65,535
	for len(args) > 0 {
		n := min(len(args)/cols, per)
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(t.cols, ", "))
		for r := range n {
			if r > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%s)", store.Placeholders(r*cols+1, cols))
		}
		if _, err := tx.Exec(b.String(), args[:n*cols]...); err != nil {
			return fmt.Errorf("preload %s: %w", t.name, err)
		}
		args = args[n*cols:]
	}
	return nil
}

// tokenDigits is a random 20-digit number: a preloaded token is never
// entered into a meter, so it need not decrypt.
func tokenDigits() string {
	var b [20]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b[:])
}
