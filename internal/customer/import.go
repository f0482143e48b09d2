package customer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// ImportColumns are the CSV columns `mteja import meters` reads; only meter
// and tariff are required, the rest default as noted in the README.
var ImportColumns = []string{"meter", "name", "phones", "language", "sgc", "ti", "krn", "kt", "ken", "base_date", "algorithm", "dkga", "tariff", "debt", "area", "feeder", "transformer"}

// RowError is one bad CSV row.
type RowError struct {
	Row int // 1-based line number in the file, header = 1
	Err error
}

func (e RowError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }

// keptRowErrors is how many bad rows an ImportError lists; the rest are
// counted. A file of millions of rows with a wrong column would otherwise
// hold an error for each in memory.
const keptRowErrors = 1000

// ImportError lists the bad rows (the first keptRowErrors of them, in line
// order) and counts the rest; nothing was imported.
type ImportError struct {
	Rows []RowError
	More int // bad rows not listed
}

// Bad is the number of bad rows.
func (e *ImportError) Bad() int { return len(e.Rows) + e.More }

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad rows, nothing imported:", e.Bad())
	for i, r := range e.Rows {
		if i == 50 {
			break
		}
		b.WriteString("\n  " + r.Error())
	}
	if n := e.Bad() - min(len(e.Rows), 50); n > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", n)
	}
	return b.String()
}

func (e *ImportError) add(r RowError) {
	if len(e.Rows) < keptRowErrors {
		e.Rows = append(e.Rows, r)
		return
	}
	e.More++
}

// ImportOptions tune Import.
type ImportOptions struct {
	// Progress, when set, is called after every batch with the rows read
	// so far and how many of them were bad.
	Progress func(rows, bad int)
}

type importRow struct {
	line int
	c    Customer
	m    Meter
}

// importBatch is how many rows go to the database in one statement per
// table: large enough that a million rows are a few thousand round trips,
// small enough to stay under SQLite's limit of bound parameters.
const importBatch = 500

// Import reads meters and their customers from CSV and stores them all, or
// none. See ImportWith.
func Import(ctx context.Context, db *store.DB, r io.Reader) (int, error) {
	return ImportWith(ctx, db, r, ImportOptions{})
}

// ImportWith streams the CSV into one transaction, a batch at a time, so
// that memory stays the same whatever the file's size: every row is
// checked, a meter already registered (or on an earlier row) is found by
// the meters' primary key as its batch goes in, and if any row is bad the
// transaction is rolled back and all the bad rows are reported together.
func ImportWith(ctx context.Context, db *store.DB, r io.Reader, opts ImportOptions) (int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return 0, fmt.Errorf("import: read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(ImportColumns, h) {
			return 0, fmt.Errorf("import: header: unknown column %q (known: %s)", h, strings.Join(ImportColumns, ", "))
		}
		col[h] = i
	}
	for _, req := range []string{"meter", "tariff"} {
		if _, ok := col[req]; !ok {
			return 0, fmt.Errorf("import: header: column %q is required", req)
		}
	}
	tariffs, err := tariffIDs(ctx, db)
	if err != nil {
		return 0, err
	}
	bad := &ImportError{}
	imported, runs := 0, 0
	errBad := errors.New("bad rows")
	err = db.InTx(ctx, func(tx *store.Tx) error {
		// The stream cannot be read twice: a transaction retried after a
		// conflict would find it at its end and import nothing.
		if runs++; runs > 1 {
			return errors.New("the database asked to retry the transaction; nothing imported, please run the import again")
		}
		// The file may come down a slow pipe: its pauses are not a stuck
		// node's, so the session's idle limit (store.sessionDefaults) does
		// not end the import. A long import still shows among the
		// transactions that hold VACUUM back (store.DB.Holders).
		if tx.Dialect == store.Postgres {
			if _, err := tx.Exec(`SET LOCAL idle_in_transaction_session_timeout = 0`); err != nil {
				return fmt.Errorf("import: %w", err)
			}
		}
		// The file is read and checked on one goroutine while the
		// batches before it are written on this one: on two cores the
		// parsing costs no time.
		batches := make(chan parsedBatch, 2)
		stop := make(chan struct{})
		go readBatches(cr, col, tariffs, batches, stop)
		defer func() {
			close(stop)
			for range batches { // let the reader finish
			}
		}()
		w := &importWriter{tx: tx}
		defer w.close()
		for b := range batches {
			for _, e := range b.bad {
				bad.add(e)
			}
			n, err := w.insertBatch(b.rows, bad)
			imported += n
			if opts.Progress != nil {
				opts.Progress(b.read, bad.Bad())
			}
			if err != nil {
				return err
			}
		}
		if bad.Bad() > 0 {
			return errBad // rolls back every row written
		}
		return nil
	})
	if errors.Is(err, errBad) {
		if rs, ok := r.(io.ReadSeeker); ok {
			nameEarlierRows(rs, col["meter"], bad)
		}
		slices.SortStableFunc(bad.Rows, func(a, b RowError) int { return a.Row - b.Row })
		return 0, bad
	}
	if err != nil {
		return 0, fmt.Errorf("import: %w (nothing imported)", err)
	}
	return imported, nil
}

// errEarlierRow is a meter number repeated in the file; nameEarlierRows
// finds the row it first appeared on.
type errEarlierRow struct {
	drn  string
	line int // 0 when not known
}

func (e *errEarlierRow) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("meter %s already on row %d", e.drn, e.line)
	}
	return fmt.Sprintf("meter %s is already on an earlier row", e.drn)
}

// nameEarlierRows reads a failed file once more to say on which row each
// repeated meter number first appeared. Only the listed repeats are sought,
// so memory stays bounded; a file that cannot be read again keeps "an
// earlier row".
func nameEarlierRows(rs io.ReadSeeker, meterCol int, bad *ImportError) {
	want := map[string][]*int{}
	for _, r := range bad.Rows {
		var e *errEarlierRow
		if errors.As(r.Err, &e) {
			want[e.drn] = append(want[e.drn], &e.line)
		}
	}
	if len(want) == 0 {
		return
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return
	}
	cr := csv.NewReader(rs)
	cr.FieldsPerRecord, cr.TrimLeadingSpace, cr.ReuseRecord = -1, true, true
	cr.Read() // the header
	found := 0
	for found < len(want) {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil || meterCol >= len(rec) {
			continue
		}
		if lines, ok := want[NormalizeNumber(strings.TrimSpace(rec[meterCol]))]; ok && *lines[0] == 0 {
			first, _ := cr.FieldPos(0)
			for _, l := range lines {
				*l = first
			}
			found++
		}
	}
}

// parsedBatch is up to importBatch checked rows, the bad rows met on the
// way, and how many rows had been read in all.
type parsedBatch struct {
	rows []importRow
	bad  []RowError
	read int
}

// readBatches reads and checks the CSV's rows and hands them on in
// batches, until the file ends or stop is closed; it closes out.
func readBatches(cr *csv.Reader, col map[string]int, tariffs map[string]bool, out chan<- parsedBatch, stop <-chan struct{}) {
	defer close(out)
	b := parsedBatch{rows: make([]importRow, 0, importBatch)}
	send := func() bool {
		select {
		case out <- b:
			b = parsedBatch{rows: make([]importRow, 0, importBatch), read: b.read}
			return true
		case <-stop:
			return false
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			send()
			return
		}
		b.read++
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			b.bad = append(b.bad, RowError{line, err})
		} else {
			get := func(name, def string) string {
				if i, ok := col[name]; ok && i < len(rec) && strings.TrimSpace(rec[i]) != "" {
					return strings.TrimSpace(rec[i])
				}
				return def
			}
			row, err := parseRow(get, tariffs)
			if err != nil {
				b.bad = append(b.bad, RowError{line, err})
			} else {
				row.line = line
				b.rows = append(b.rows, row)
			}
		}
		if (len(b.rows) == importBatch || len(b.bad) == importBatch) && !send() {
			return
		}
	}
}

func parseRow(get func(name, def string) string, tariffs map[string]bool) (importRow, error) {
	var r importRow
	m := &r.m
	m.DRN = NormalizeNumber(get("meter", ""))
	m.SGC = get("sgc", "")
	m.TariffID = get("tariff", "")
	m.Algorithm = strings.ToUpper(get("algorithm", DefaultKeys.Algorithm))
	m.DKGA = strings.TrimPrefix(strings.ToUpper(get("dkga", DefaultKeys.DKGA)), "DKGA")
	m.Area = get("area", "")
	m.Feeder, m.Transformer = get("feeder", ""), get("transformer", "")
	ints := []struct {
		name string
		dst  *int
		def  int
	}{{"ti", &m.TI, DefaultKeys.TI}, {"krn", &m.KRN, DefaultKeys.KRN}, {"kt", &m.KT, DefaultKeys.KT},
		{"ken", &m.KEN, DefaultKeys.KEN}, {"base_date", &m.BaseDate, DefaultKeys.BaseDate}}
	for _, f := range ints {
		s := get(f.name, strconv.Itoa(f.def))
		v, err := strconv.Atoi(s)
		if err != nil {
			return r, fmt.Errorf("%s %q: not a whole number", f.name, s)
		}
		*f.dst = v
	}
	if m.SGC == "" {
		return r, errors.New("sgc: required (6 digits)")
	}
	if !tariffs[m.TariffID] {
		return r, fmt.Errorf("tariff %q does not exist", m.TariffID)
	}
	if _, err := m.STS(); err != nil {
		return r, err
	}
	debt, err := money.Parse(get("debt", "0"))
	if err != nil || debt < 0 {
		return r, fmt.Errorf("debt %q: want an amount of zero or more", get("debt", "0"))
	}
	m.Debt = debt
	r.c.Name = get("name", "")
	r.c.Language = get("language", "en")
	if err := checkLanguage(r.c.Language); err != nil {
		return r, err
	}
	phones, err := normalizePhones(strings.FieldsFunc(get("phones", ""), func(c rune) bool { return c == ';' || c == '|' }))
	if err != nil {
		return r, err
	}
	r.c.Phones = phones
	return r, nil
}

func tariffIDs(ctx context.Context, db *store.DB) (map[string]bool, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT id FROM tariffs`)
	if err != nil {
		return nil, fmt.Errorf("import: tariffs: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		out[id] = true
	}
	return out, rows.Err()
}
