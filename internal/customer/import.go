package customer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
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

// ImportError lists every bad row; nothing was imported.
type ImportError struct {
	Rows []RowError
}

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad rows, nothing imported:", len(e.Rows))
	for i, r := range e.Rows {
		if i == 50 {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Rows)-50)
			break
		}
		b.WriteString("\n  " + r.Error())
	}
	return b.String()
}

type importRow struct {
	c Customer
	m Meter
}

// Import reads meters and their customers from CSV and stores them all in
// one transaction, or none: every row is checked first, and all the bad
// rows are reported together.
func Import(ctx context.Context, db *store.DB, r io.Reader) (int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return 0, fmt.Errorf("import: read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, k := range ImportColumns {
			known = known || h == k
		}
		if !known {
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
	var rows []importRow
	var bad []RowError
	seen := map[string]int{}
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bad = append(bad, RowError{line, err})
			if len(bad) > 1000 {
				break
			}
			continue
		}
		get := func(name, def string) string {
			if i, ok := col[name]; ok && i < len(rec) && strings.TrimSpace(rec[i]) != "" {
				return strings.TrimSpace(rec[i])
			}
			return def
		}
		row, err := parseRow(get, tariffs)
		if err == nil {
			if prev, dup := seen[row.m.DRN]; dup {
				err = fmt.Errorf("meter %s already on row %d", row.m.DRN, prev)
			}
		}
		if err != nil {
			bad = append(bad, RowError{line, err})
			continue
		}
		seen[row.m.DRN] = line
		rows = append(rows, row)
	}
	existing, err := existingMeters(ctx, db, rows)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		if existing[r.m.DRN] {
			bad = append(bad, RowError{seen[r.m.DRN], fmt.Errorf("meter %s is already registered", r.m.DRN)})
		}
	}
	if len(bad) > 0 {
		return 0, &ImportError{Rows: bad}
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for i := range rows {
			if err := Create(tx, &rows[i].c); err != nil {
				return fmt.Errorf("row %d: %w", seen[rows[i].m.DRN], err)
			}
			rows[i].m.CustomerID = rows[i].c.ID
			if err := CreateMeter(tx, &rows[i].m); err != nil {
				return fmt.Errorf("row %d: %w", seen[rows[i].m.DRN], err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("import: %w (nothing imported)", err)
	}
	return len(rows), nil
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

func existingMeters(ctx context.Context, db *store.DB, rows []importRow) (map[string]bool, error) {
	out := map[string]bool{}
	for i := 0; i < len(rows); i += 500 {
		chunk := rows[i:min(i+500, len(rows))]
		args := make([]any, len(chunk))
		for j, r := range chunk {
			args[j] = r.m.DRN
		}
		rs, err := db.Read().QueryContext(ctx, `SELECT drn FROM meters WHERE drn IN (`+store.Placeholders(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		for rs.Next() {
			var d string
			rs.Scan(&d)
			out[d] = true
		}
		rs.Close()
	}
	return out, nil
}
