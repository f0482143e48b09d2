package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mteja/mteja/internal/money"
)

// WriteCSV writes t as CSV (RFC 4180, CRLF line ends): a header row of the
// column labels in lang, then one row per row of the table. Numbers are
// plain, for a spreadsheet to compute with: amounts as decimals without
// separators (1234.50), durations in seconds and energy in kWh, each with
// three decimals, counts as integers; a missing value is empty. A name that
// a spreadsheet would run as a formula (starting with =, +, -, @, a tab or
// a carriage return) gets a leading apostrophe, so that an area or a route
// named by someone else cannot run in the reader's spreadsheet.
func WriteCSV(w io.Writer, t Table, lang Lang) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Label.In(lang)
		switch c.Kind {
		case Duration:
			head[i] += " (s)"
		case Energy:
			head[i] += " (kWh)"
		}
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("report %s: csv: %w", t.ID, err)
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i, c := range t.Columns {
			rec[i] = plainCell(row[i], c.Kind, lang)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("report %s: csv: %w", t.ID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report %s: csv: %w", t.ID, err)
	}
	return nil
}

func plainCell(c Cell, k Kind, lang Lang) string {
	if c.Null {
		return ""
	}
	switch k {
	case Count:
		return strconv.FormatInt(c.N, 10)
	case Money:
		return money.Amount(c.N).Plain()
	case Duration:
		// Rounded to the millisecond, half away from zero.
		ms := (abs(c.N) + 500) / 1000
		return sign(c.N) + strconv.FormatInt(ms/1000, 10) + "." + pad3(ms%1000)
	case Energy:
		return sign(c.N) + strconv.FormatInt(abs(c.N)/1000, 10) + "." + pad3(abs(c.N)%1000)
	case Day:
		return c.Text
	}
	s := c.text(lang)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		s = "'" + s
	}
	return s
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func sign(n int64) string {
	if n < 0 {
		return "-"
	}
	return ""
}
