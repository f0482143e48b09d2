package reconcile

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/phone"
)

// Statement is an organisation statement as the M-Pesa business portal
// exports it, read.
type Statement struct {
	ShortCode string // from the heading lines, when they name one
	Records   []Record
	// From and To are the earliest and latest completion times: the span
	// in which a payment Mteja has must appear in the statement.
	From, To time.Time
}

// ErrLayout is wrapped when a file is not a statement Mteja can read.
var ErrLayout = errors.New("not an M-Pesa organisation statement")

// LineError is one bad row of a statement.
type LineError struct {
	Line int // the line in the file, from 1
	Err  error
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// StatementError lists every bad row of a statement; none of it was taken.
type StatementError struct {
	Lines []LineError
}

func (e *StatementError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad rows, nothing imported:", len(e.Lines))
	for i, l := range e.Lines {
		if i == 50 {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Lines)-50)
			break
		}
		b.WriteString("\n  " + l.Error())
	}
	return b.String()
}

// Statement columns, by the names Mteja reads them under.
const (
	colReceipt   = "Receipt No."
	colCompleted = "Completion Time"
	colInitiated = "Initiation Time"
	colDetails   = "Details"
	colStatus    = "Transaction Status"
	colPaidIn    = "Paid In"
	colWithdrawn = "Withdrawn"
	colReason    = "Reason Type"
	colParty     = "Other Party Info"
	colLinked    = "Linked Transaction ID"
	colAccount   = "A/C No."
)

// columnNames maps a heading, folded (lower case, without dots, spaces
// collapsed), to its column. Exports differ in the dots and in which
// optional columns they keep; Balance and Balance Confirmed are not needed.
var columnNames = map[string]string{
	"receipt no": colReceipt, "receipt number": colReceipt, "receipt": colReceipt,
	"completion time": colCompleted, "initiation time": colInitiated, "details": colDetails,
	"transaction status": colStatus, "paid in": colPaidIn, "withdrawn": colWithdrawn,
	"reason type": colReason, "other party info": colParty, "linked transaction id": colLinked,
	"a/c no": colAccount, "ac no": colAccount, "account no": colAccount, "account number": colAccount,
}

// requiredColumns are the columns without which a row says nothing usable.
var requiredColumns = []string{colReceipt, colCompleted, colPaidIn}

// headerSearch bounds the heading lines above the header row.
const headerSearch = 30

func foldHeading(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	s = strings.TrimSuffix(strings.ReplaceAll(s, ".", ""), ":")
	return strings.Join(strings.Fields(s), " ")
}

var shortCodeHeading = regexp.MustCompile(`(?i)short\s*code\D{0,5}(\d{5,7})\b`)

// ParseStatement reads a statement CSV: heading lines, then a header row
// naming the columns, then one row per transaction. Columns are found by
// name, in any order; Receipt No., Completion Time and Paid In are needed,
// the others are optional. Times are East Africa Time. Every bad row is
// reported with its line number (a *StatementError); a file without a
// header row Mteja knows is an ErrLayout.
func ParseStatement(r io.Reader) (Statement, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var st Statement
	var cols map[string]int
	var bad []LineError
	seen := map[string]int{} // receipt and kind → line
	for n := 0; ; n++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return Statement{}, &StatementError{Lines: append(bad, LineError{Line: line, Err: fmt.Errorf("not CSV: %w", err)})}
		}
		line, _ := cr.FieldPos(0)
		if cols == nil {
			if cols, err = header(row, line); err != nil {
				return Statement{}, err
			}
			if cols == nil {
				if m := shortCodeHeading.FindStringSubmatch(strings.Join(row, " ")); m != nil && st.ShortCode == "" {
					st.ShortCode = m[1]
				}
				if n+1 >= headerSearch {
					return Statement{}, fmt.Errorf("%w: no header row naming %s in the first %d lines", ErrLayout, strings.Join(requiredColumns, ", "), headerSearch)
				}
			}
			continue
		}
		if blank(row) {
			continue
		}
		rec, err := parseRow(row, cols)
		if err != nil {
			bad = append(bad, LineError{Line: line, Err: err})
			continue
		}
		rec.Line = line
		key := rec.Receipt + " " + rec.Kind
		if first, ok := seen[key]; ok {
			bad = append(bad, LineError{Line: line, Err: fmt.Errorf("receipt %s (%s) is on line %d already", rec.Receipt, rec.Kind, first)})
			continue
		}
		seen[key] = line
		st.Records = append(st.Records, rec)
		if st.From.IsZero() || rec.CompletedAt.Before(st.From) {
			st.From = rec.CompletedAt
		}
		if rec.CompletedAt.After(st.To) {
			st.To = rec.CompletedAt
		}
	}
	switch {
	case cols == nil:
		return Statement{}, fmt.Errorf("%w: no header row naming %s", ErrLayout, strings.Join(requiredColumns, ", "))
	case len(bad) > 0:
		return Statement{}, &StatementError{Lines: bad}
	case len(st.Records) == 0:
		return Statement{}, fmt.Errorf("%w: the header row is there, but no transactions follow it", ErrLayout)
	}
	return st, nil
}

// header returns the columns of a header row, or nil for a heading line.
// A row naming the receipt and completion time columns is taken as the
// header; it must then name every required column, each once.
func header(row []string, line int) (map[string]int, error) {
	cols := map[string]int{}
	for i, cell := range row {
		name, ok := columnNames[foldHeading(cell)]
		if !ok {
			continue // a column Mteja does not need (Balance), or none
		}
		if _, dup := cols[name]; dup {
			return nil, fmt.Errorf("%w: the header row (line %d) has %s twice", ErrLayout, line, name)
		}
		cols[name] = i
	}
	_, hasReceipt := cols[colReceipt]
	_, hasTime := cols[colCompleted]
	if !hasReceipt || !hasTime {
		return nil, nil
	}
	var lacking []string
	for _, c := range requiredColumns {
		if _, ok := cols[c]; !ok {
			lacking = append(lacking, c)
		}
	}
	if len(lacking) > 0 {
		return nil, fmt.Errorf("%w: the header row (line %d) lacks %s", ErrLayout, line, strings.Join(lacking, ", "))
	}
	return cols, nil
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func parseRow(row []string, cols map[string]int) (Record, error) {
	get := func(col string) string {
		if i, ok := cols[col]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var r Record
	var err error
	raw := get(colReceipt)
	if r.Receipt, err = payment.NormalizeReceipt(raw); err != nil {
		return r, fmt.Errorf("%s %q is not an M-Pesa receipt", colReceipt, truncate(raw, 20))
	}
	if r.CompletedAt, err = parseTime(get(colCompleted), colCompleted); err != nil {
		return r, err
	}
	if s := get(colInitiated); s != "" {
		if r.InitiatedAt, err = parseTime(s, colInitiated); err != nil {
			return r, err
		}
	}
	in, err := parseAmount(get(colPaidIn), colPaidIn)
	if err != nil {
		return r, err
	}
	if in < 0 {
		return r, fmt.Errorf("%s %q is negative", colPaidIn, get(colPaidIn))
	}
	out, err := parseAmount(get(colWithdrawn), colWithdrawn)
	if err != nil {
		return r, err
	}
	out = max(out, -out) // exports show money out as negative, or not
	if in > 0 && out > 0 {
		return r, fmt.Errorf("both %s and %s hold an amount", colPaidIn, colWithdrawn)
	}
	r.Status, r.Details, r.ReasonType = get(colStatus), get(colDetails), get(colReason)
	if _, ok := cols[colStatus]; !ok {
		r.Status = "Completed" // an export without the column lists completed transactions
	}
	if party := get(colParty); party != "" {
		who, name, _ := strings.Cut(party, " - ")
		r.Payer, r.PayerName = strings.TrimSpace(who), strings.TrimSpace(name)
		if n, err := phone.Normalize(r.Payer); err == nil {
			r.Payer = n
		}
	}
	r.AccountRef = get(colAccount)
	r.Linked = strings.ToUpper(get(colLinked))
	r.Kind = classify(r.ReasonType, r.Details, in)
	r.Amount = in
	if r.Kind != KindPayment {
		r.Amount = max(in, out)
	}
	return r, nil
}

// paymentWords name a customer's payment in a Reason Type (or, without
// that column, in Details). Money in of any other kind (a transfer between
// the organisation's own accounts) is never taken for a payment to vend.
var paymentWords = []string{"pay bill", "paybill", "pay utility", "buy goods", "merchant payment", "lipa na m-pesa", "c2b"}

// classify tells a record's kind from its Reason Type, or its Details when
// the export has no Reason Type.
func classify(reason, details string, paidIn money.Amount) string {
	text := strings.ToLower(reason)
	if text == "" {
		text = strings.ToLower(details)
	}
	switch {
	case strings.Contains(text, "reversal"):
		return KindReversal
	case strings.Contains(text, "charge"):
		return KindCharge
	case paidIn > 0:
		for _, w := range paymentWords {
			if strings.Contains(text, w) {
				return KindPayment
			}
		}
	}
	return KindOther
}

// timeLayouts are the ways exports (and spreadsheets that saved them
// again) write a time: day first, as East Africa writes dates, or ISO.
var timeLayouts = []string{
	"2006-1-2 15:04:05", "2006-1-2 15:04", "2006-1-2T15:04:05", "2006/1/2 15:04:05",
	"2-1-2006 15:04:05", "2-1-2006 15:04", "2/1/2006 15:04:05", "2/1/2006 15:04", "2.1.2006 15:04:05",
}

func parseTime(s, col string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("%s is empty", col)
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, mpesa.EAT); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q is not a time such as 2026-12-01 14:03:22 or 01-12-2026 14:03:22", col, truncate(s, 30))
}

// grouped is an amount with thousands separators where there are any.
var grouped = regexp.MustCompile(`^-?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$`)

// parseAmount reads "1,234.00", "-30.00" or "" (none).
func parseAmount(s, col string) (money.Amount, error) {
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return 0, nil
	}
	if !grouped.MatchString(s) {
		return 0, fmt.Errorf("%s %q is not an amount such as 1,234.00", col, truncate(s, 30))
	}
	a, err := money.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("%s %q: %w", col, truncate(s, 30), err)
	}
	return a, nil
}
