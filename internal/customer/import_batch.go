package customer

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/store"
)

// insertBatch writes one batch of checked rows with one multi-row INSERT
// per table. A meter whose number is already stored (registered before, or
// on an earlier row of this file) is skipped by ON CONFLICT and reported as
// a bad row; the caller then rolls the whole import back. It returns how
// many meters were written.
func (w *importWriter) insertBatch(rows []importRow, bad *ImportError) (int, error) {
	tx := w.tx
	if len(rows) == 0 {
		return 0, nil
	}
	now := store.Micros(tx.Now)
	var phones []any
	custs := make([]any, 0, len(rows)*4)
	meters := make([]any, 0, len(rows)*18)
	for i := range rows {
		r := &rows[i]
		r.c.ID = uuid.Must(uuid.NewV7()).String()
		r.m.CustomerID, r.m.Status = r.c.ID, MeterActive
		custs = append(custs, r.c.ID, r.c.Name, r.c.Language, now)
		for _, p := range r.c.Phones {
			phones = append(phones, r.c.ID, p)
		}
		m := &r.m
		meters = append(meters, m.DRN, m.CustomerID, m.SGC, m.TI, m.KRN, m.KT, m.KEN, m.BaseDate, m.Algorithm, m.DKGA, m.TariffID,
			int64(m.Debt), m.LastTID, m.Status, m.Area, m.Feeder, m.Transformer, m.PendingKey, now, now)
	}
	insertCustomers, err := w.stmt(valuesSQL(`INSERT INTO customers (id, name, language, created_at) VALUES `, 4, len(rows)))
	if err != nil {
		return 0, fmt.Errorf("import customers: %w", err)
	}
	if _, err := insertCustomers.Exec(custs...); err != nil {
		return 0, fmt.Errorf("import customers: %w", err)
	}
	for lo := 0; lo < len(phones); lo += 2 * importBatch {
		chunk := phones[lo:min(lo+2*importBatch, len(phones))]
		if _, err := tx.Exec(valuesSQL(`INSERT INTO customer_phones (customer_id, msisdn) VALUES `, 2, len(chunk)/2)+` ON CONFLICT DO NOTHING`, chunk...); err != nil {
			return 0, fmt.Errorf("import phones: %w", err)
		}
	}
	q := valuesSQL(`INSERT INTO meters (drn, customer_id, sgc, ti, krn, kt, ken, base_date, algorithm, dkga, tariff_id, debt, last_tid, status, area, feeder, transformer, pending_key, created_at, updated_at) VALUES `, 20, len(rows)) +
		` ON CONFLICT (drn) DO NOTHING RETURNING drn`
	insertMeters, err := w.stmt(q)
	if err != nil {
		return 0, fmt.Errorf("import meters: %w", err)
	}
	rs, err := insertMeters.Query(meters...)
	if err != nil {
		return 0, fmt.Errorf("import meters: %w", err)
	}
	inserted := make(map[string]bool, len(rows))
	for rs.Next() {
		var d string
		if err := rs.Scan(&d); err != nil {
			rs.Close()
			return 0, fmt.Errorf("import meters: %w", err)
		}
		inserted[d] = true
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return 0, fmt.Errorf("import meters: %w", err)
	}
	var txns []ledger.Txn
	var dups []importRow
	for _, r := range rows {
		if !inserted[r.m.DRN] {
			dups = append(dups, r)
			continue
		}
		// Only the first row of a number takes it, so a repeat within the
		// batch is a duplicate too.
		delete(inserted, r.m.DRN)
		// Arrears the meter arrives with are owed to the utility from now
		// on (as CreateMeter books them).
		if r.m.Debt > 0 {
			txns = append(txns, ledger.Transfer("opening_debt:"+r.m.DRN, "opening_debt", r.m.DRN, ledger.DebtReceivable, ledger.OpeningBalances, r.m.Debt))
		}
	}
	if err := ledger.Post(tx, txns...); err != nil {
		return 0, fmt.Errorf("import opening debts: %w", err)
	}
	if len(dups) > 0 {
		if err := reportDuplicates(tx, dups, now, bad); err != nil {
			return 0, err
		}
	}
	return len(rows) - len(dups), nil
}

// importWriter writes an import's batches in one transaction, preparing
// each multi-row statement once: parsing a statement of thousands of
// parameters costs about a fifth of a batch.
type importWriter struct {
	tx    *store.Tx
	stmts map[string]*sql.Stmt
}

func (w *importWriter) stmt(q string) (*sql.Stmt, error) {
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	st, err := w.tx.Prepare(q)
	if err != nil {
		return nil, err
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	w.stmts[q] = st
	return st, nil
}

func (w *importWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// reportDuplicates tells a meter registered before this import (an older
// created_at) from one on an earlier row of the file (this transaction's).
func reportDuplicates(tx *store.Tx, dups []importRow, now int64, bad *ImportError) error {
	args := make([]any, len(dups))
	for i, r := range dups {
		args[i] = r.m.DRN
	}
	rs, err := tx.Query(`SELECT drn FROM meters WHERE created_at <> $1 AND drn IN (`+store.Placeholders(2, len(dups))+`)`, append([]any{now}, args...)...)
	if err != nil {
		return fmt.Errorf("import: duplicates: %w", err)
	}
	before := map[string]bool{}
	for rs.Next() {
		var d string
		rs.Scan(&d)
		before[d] = true
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return fmt.Errorf("import: duplicates: %w", err)
	}
	for _, r := range dups {
		if before[r.m.DRN] {
			bad.add(RowError{r.line, fmt.Errorf("meter %s is already registered", r.m.DRN)})
		} else {
			bad.add(RowError{r.line, &errEarlierRow{drn: r.m.DRN}})
		}
	}
	return nil
}

// valuesSQL is prefix followed by n groups of width placeholders.
func valuesSQL(prefix string, width, n int) string {
	var b strings.Builder
	b.Grow(len(prefix) + n*width*6)
	b.WriteString(prefix)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		b.WriteString(store.Placeholders(i*width+1, width))
		b.WriteString(")")
	}
	return b.String()
}
