package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// Lines of a day's figures.
const (
	// LinePaymentsIn counts every payment paid that day, whatever became
	// of it; "payments_in:PROVIDER" lines count them by channel.
	LinePaymentsIn = "payments_in"
	// LinePaymentsISP counts those of them paid to an ISP sharing the
	// deployment (its own short code), on a day that has any: its money
	// is not the utility's.
	LinePaymentsISP = "payments_in_isp"
	LineVends       = "vends" // vends made that day
	// LineSuspense and LineExceptionsOpen say how things stood at the
	// close: the day's payments whose money waits in suspense, and the
	// day's exceptions still open. They change as staff work, so they are
	// never corrected.
	LineSuspense       = "suspense"
	LineExceptionsOpen = "exceptions_open"
	// M-Pesa's own records of the day: completed payments, charges and
	// reversals.
	LineMpesaPayments  = "mpesa_payments"
	LineMpesaCharges   = "mpesa_charges"
	LineMpesaReversals = "mpesa_reversals"
)

// Entry kinds.
const (
	EntryClose      = "close"
	EntryCorrection = "correction"
)

// Line is one figure: how many, and how much.
type Line struct {
	Name   string
	Count  int64
	Amount money.Amount
}

// Entry is a day's close, or a later correction of it: the close holds
// the figures, a correction what changed them since, each dated.
type Entry struct {
	ID    string
	Day   string
	Seq   int // 1 for the close, then 2, 3... for corrections
	Kind  string
	At    time.Time
	By    string
	Note  string
	Lines []Line
}

// ErrClosed is returned when a closed day's figures have not changed
// since: there is nothing to close or correct.
var ErrClosed = errors.New("the day is closed and its figures have not changed since")

// ErrDayNotOver is returned for a day that has not ended yet (EAT).
var ErrDayNotOver = errors.New("the day is not over yet")

// Close fixes a day's figures (YYYY-MM-DD, East Africa Time). A day can
// be closed once; closing it again records what has changed its figures
// since as a correction of its own, dated now, and returns that, or
// ErrClosed when nothing has. The figures of the close never change.
func Close(ctx context.Context, db *store.DB, day, by string) (Entry, error) {
	start, err := ParseDay(day)
	if err != nil {
		return Entry{}, err
	}
	day = Day(start)
	var out Entry
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if end := start.AddDate(0, 0, 1); tx.Now.Before(end) {
			return fmt.Errorf("close %s: %w (it ends %s UTC)", day, ErrDayNotOver, end.UTC().Format(time.DateTime))
		}
		entries, err := Closes(ctx, tx, day)
		if err != nil {
			return err
		}
		if len(entries) > 0 {
			e, err := correct(ctx, tx, day, by, "")
			if err != nil {
				return err
			}
			if e == nil {
				return fmt.Errorf("close %s (closed %s by %s): %w", day, entries[0].At.Format(time.DateTime), entries[0].By, ErrClosed)
			}
			out = *e
			return nil
		}
		lines, err := Figures(ctx, tx, day)
		if err != nil {
			return err
		}
		out, err = addEntry(tx, Entry{Day: day, Seq: 1, Kind: EntryClose, By: by, Lines: lines})
		return err
	})
	if store.IsUniqueViolation(err) {
		return Entry{}, fmt.Errorf("close %s: closed by another at the same moment: %w", day, ErrClosed)
	}
	return out, err
}

// correct records, for a closed day, what has changed its figures since
// its close and earlier corrections, as a correction dated now. It returns
// nil when the day is not closed or nothing changed.
func correct(ctx context.Context, tx *store.Tx, day, by, note string) (*Entry, error) {
	entries, err := Closes(ctx, tx, day)
	if err != nil || len(entries) == 0 {
		return nil, err
	}
	booked := map[string]Line{}
	for _, e := range entries {
		for _, l := range e.Lines {
			b := booked[l.Name]
			b.Count, b.Amount = b.Count+l.Count, b.Amount+l.Amount
			booked[l.Name] = b
		}
	}
	now, err := Figures(ctx, tx, day)
	if err != nil {
		return nil, err
	}
	var delta []Line
	for _, l := range now {
		b := booked[l.Name]
		delete(booked, l.Name)
		if !Snapshot(l.Name) && (l.Count != b.Count || l.Amount != b.Amount) {
			delta = append(delta, Line{Name: l.Name, Count: l.Count - b.Count, Amount: l.Amount - b.Amount})
		}
	}
	for name, b := range booked { // a channel with no payments now
		if !Snapshot(name) && (b.Count != 0 || b.Amount != 0) {
			delta = append(delta, Line{Name: name, Count: -b.Count, Amount: -b.Amount})
		}
	}
	if len(delta) == 0 {
		return nil, nil
	}
	slices.SortFunc(delta, func(a, b Line) int { return lineOrder(a.Name) - lineOrder(b.Name) })
	e, err := addEntry(tx, Entry{Day: day, Seq: entries[len(entries)-1].Seq + 1, Kind: EntryCorrection, By: by, Note: note, Lines: delta})
	return &e, err
}

// Snapshot reports whether a line says how things stood at the close (the
// suspense, the exceptions open): staff work changes it, so it is never
// corrected.
func Snapshot(line string) bool { return line == LineSuspense || line == LineExceptionsOpen }

// lineOrder keeps lines in the order Figures gives them.
func lineOrder(name string) int {
	order := []string{LinePaymentsIn, LinePaymentsISP, LineVends, LineSuspense, LineExceptionsOpen, LineMpesaPayments, LineMpesaCharges, LineMpesaReversals}
	if i := slices.Index(order, name); i >= 0 {
		return i * 2
	}
	return 1 // a channel's line, after the total
}

func addEntry(tx *store.Tx, e Entry) (Entry, error) {
	e.ID, e.At = uuid.Must(uuid.NewV7()).String(), tx.Now
	if _, err := tx.Exec(`INSERT INTO recon_closes (id, day, seq, kind, made_at, made_by, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.ID, e.Day, e.Seq, e.Kind, store.Micros(e.At), e.By, store.Truncate(e.Note, 300)); err != nil {
		return Entry{}, fmt.Errorf("%s of %s: %w", e.Kind, e.Day, err)
	}
	for _, l := range e.Lines {
		if _, err := tx.Exec(`INSERT INTO recon_close_lines (close_id, line, n, amount) VALUES ($1, $2, $3, $4)`, e.ID, l.Name, l.Count, int64(l.Amount)); err != nil {
			return Entry{}, fmt.Errorf("%s of %s: %w", e.Kind, e.Day, err)
		}
	}
	detail := fmt.Sprintf("%s of %s (entry %d)", e.Kind, e.Day, e.Seq)
	if e.Note != "" {
		detail += ": " + e.Note
	}
	return e, payment.Audit(tx, e.By, "reconcile."+e.Kind, e.Day, detail)
}

// Closes returns a day's close and its corrections, oldest first; none
// when the day is not closed.
func Closes(ctx context.Context, q payment.Querier, day string) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.seq, c.kind, c.made_at, c.made_by, c.note, l.line, l.n, l.amount
		FROM recon_closes c LEFT JOIN recon_close_lines l ON l.close_id = c.id WHERE c.day = $1 ORDER BY c.seq`, day)
	if err != nil {
		return nil, fmt.Errorf("closes of %s: %w", day, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		var line *string
		var n, amount *int64
		if err := rows.Scan(&e.ID, &e.Seq, &e.Kind, &at, &e.By, &e.Note, &line, &n, &amount); err != nil {
			return nil, fmt.Errorf("closes of %s: %w", day, err)
		}
		if len(out) == 0 || out[len(out)-1].ID != e.ID {
			e.Day, e.At = day, store.Time(at)
			out = append(out, e)
		}
		if line != nil {
			last := &out[len(out)-1]
			last.Lines = append(last.Lines, Line{Name: *line, Count: *n, Amount: money.Amount(*amount)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		slices.SortStableFunc(out[i].Lines, func(a, b Line) int { return lineOrder(a.Name) - lineOrder(b.Name) })
	}
	return out, nil
}
