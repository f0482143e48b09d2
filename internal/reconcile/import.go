package reconcile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// MaxStatementBytes bounds a statement file: a month of a busy Paybill.
const MaxStatementBytes = 64 << 20

// Outcome is what reconciling a batch of M-Pesa's records did.
type Outcome struct {
	Rows     int            // records read
	New      int            // records M-Pesa's records held no copy of yet
	Kinds    map[string]int // records of each kind
	Recorded int            // payments recorded from them (vended, or in suspense)
	// Exceptions are those found now, with what was done about each.
	Exceptions []Exception
	// Corrections are the entries made for closed days whose figures the
	// records changed.
	Corrections []Entry
}

// Imported is what importing a statement did.
type Imported struct {
	StatementID string
	// Already is set when the same file was imported before: nothing was
	// added, and the outcome is empty.
	Already bool
	Outcome
}

// Import reads an organisation statement (see ParseStatement) and
// reconciles it with Mteja's payments, all in one transaction: every row
// or none. The same file imported again adds nothing; rows seen before
// (in another statement, or pulled) are stored once. by names who
// imported it, for the audit log. Payments recorded are left for the vend
// worker, which the caller may wake.
func Import(ctx context.Context, db *store.DB, name string, r io.Reader, by string) (Imported, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxStatementBytes+1))
	if err != nil {
		return Imported{}, fmt.Errorf("read statement: %w", err)
	}
	if len(data) > MaxStatementBytes {
		return Imported{}, fmt.Errorf("%w: larger than %d MB; import it in parts", ErrLayout, MaxStatementBytes>>20)
	}
	st, err := ParseStatement(bytes.NewReader(data))
	if err != nil {
		return Imported{}, err
	}
	sum := sha256.Sum256(data)
	var out Imported
	err = db.InTx(ctx, func(tx *store.Tx) error {
		out = Imported{StatementID: uuid.Must(uuid.NewV7()).String()}
		err := tx.QueryRow(`INSERT INTO recon_statements (id, sha256, name, short_code, row_count, covers_from, covers_to, imported_at, imported_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (sha256) DO NOTHING RETURNING id`,
			out.StatementID, hex.EncodeToString(sum[:]), store.Truncate(name, 200), st.ShortCode, len(st.Records),
			store.Micros(st.From), store.Micros(st.To), store.Micros(tx.Now), by).Scan(&out.StatementID)
		if errors.Is(err, sql.ErrNoRows) {
			out.Already = true
			return tx.QueryRow(`SELECT id FROM recon_statements WHERE sha256 = $1`, hex.EncodeToString(sum[:])).Scan(&out.StatementID)
		}
		if err != nil {
			return fmt.Errorf("import statement %s: %w", name, err)
		}
		m := newMatcher(ctx, tx, SourceStatement)
		if out.Outcome, err = m.run(st.Records, origin{source: SourceStatement, statementID: out.StatementID}, func() error {
			return m.coverage(st.From, st.To, st.ShortCode)
		}); err != nil {
			return err
		}
		return payment.Audit(tx, by, "reconcile.statement", out.StatementID, fmt.Sprintf("%s: %s", truncate(name, 80), out.Outcome))
	})
	return out, err
}

// run stores records from o, reconciles them, then runs coverage (the
// check of Mteja's payments against the span they cover) unless it is nil,
// and corrects the closed days whose figures changed.
func (m *matcher) run(recs []Record, o origin, coverage func() error) (Outcome, error) {
	out := Outcome{Rows: len(recs), Kinds: map[string]int{}}
	fresh, differ, err := storeRecords(m.tx, recs, o)
	if err != nil {
		return out, err
	}
	for _, r := range recs {
		out.Kinds[r.Kind]++
		if fresh[r.key()] {
			out.New++
			m.days[Day(r.CompletedAt)] = true
		}
	}
	if err := m.records(recs, differ); err != nil {
		return out, err
	}
	if coverage != nil {
		if err := coverage(); err != nil {
			return out, err
		}
	}
	out.Recorded = m.recorded
	days := make([]string, 0, len(m.days))
	for d := range m.days {
		days = append(days, d)
	}
	slices.Sort(days)
	for _, d := range days {
		e, err := correct(m.ctx, m.tx, d, System, "M-Pesa's "+o.source+" changed its figures")
		if err != nil {
			return out, err
		}
		if e != nil {
			out.Corrections = append(out.Corrections, *e)
		}
	}
	for _, id := range m.found {
		e, err := GetException(m.ctx, m.tx, id)
		if err != nil {
			return out, err
		}
		out.Exceptions = append(out.Exceptions, e)
	}
	return out, nil
}

func (o Outcome) String() string {
	return fmt.Sprintf("%d rows (%d new; %d payments, %d charges, %d reversals, %d other), %d payments recorded, %d exceptions, %d corrections",
		o.Rows, o.New, o.Kinds[KindPayment], o.Kinds[KindCharge], o.Kinds[KindReversal], o.Kinds[KindOther], o.Recorded, len(o.Exceptions), len(o.Corrections))
}
