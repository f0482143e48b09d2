// Package care serves customers who need a person: the faults they report
// and the outages the utility announces, so that customers hear of an
// outage before they have to ask.
package care

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// Fault kinds a customer can report.
const (
	FaultNoPower       = "no_power"
	FaultTokenRejected = "token_rejected"
	FaultMeter         = "meter"
	FaultOther         = "other"
)

// ValidFaultKind reports whether k is a fault kind.
func ValidFaultKind(k string) bool {
	switch k {
	case FaultNoPower, FaultTokenRejected, FaultMeter, FaultOther:
		return true
	}
	return false
}

// Fault is a problem a customer reported.
type Fault struct {
	ID        string
	Ref       string // short reference the customer can quote: "F-7K2Q9"
	MSISDN    string
	MeterDRN  string
	Kind      string
	Note      string
	State     string // open, closed
	CreatedAt time.Time
}

// refAlphabet avoids letters and digits people confuse on a phone screen.
const refAlphabet = "ACDEFHJKMNPQRTUVWXY3479"

func newRef() string {
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = refAlphabet[int(b[i])%len(refAlphabet)]
	}
	return "F-" + string(b)
}

// ReportFault records a fault and returns it with its reference. A report
// from the same phone for the same meter and kind within 10 minutes returns
// the first one (a resent USSD request or an impatient customer).
func ReportFault(ctx context.Context, db *store.DB, msisdn, drn, kind, note string) (Fault, error) {
	return report(ctx, db, msisdn, drn, kind, note, "")
}

// RaiseFault records a fault that staff member by reports for a customer
// (who called, or came to the office) as ReportFault does, with an audit
// event in the same transaction; a repeat within 10 minutes returns the
// first report, and the event says so. msisdn is the number the customer
// reported from, "" for none.
func RaiseFault(ctx context.Context, db *store.DB, msisdn, drn, kind, note, by string) (Fault, error) {
	if by == "" {
		return Fault{}, errors.New("raise fault: no staff member to record")
	}
	return report(ctx, db, msisdn, drn, kind, note, by)
}

// report records a fault; by, when set, is audited as having raised it.
func report(ctx context.Context, db *store.DB, msisdn, drn, kind, note, by string) (Fault, error) {
	if !ValidFaultKind(kind) {
		return Fault{}, fmt.Errorf("fault kind %q: want no_power, token_rejected, meter or other", kind)
	}
	if len(note) > 500 {
		note = note[:500]
	}
	f := Fault{MSISDN: msisdn, MeterDRN: drn, Kind: kind, Note: strings.TrimSpace(note), State: "open"}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		since := store.Micros(tx.Now.Add(-10 * time.Minute))
		var created int64
		err := tx.QueryRow(`SELECT id, ref, created_at FROM faults WHERE msisdn = $1 AND meter_drn = $2 AND kind = $3 AND created_at > $4 ORDER BY created_at LIMIT 1`,
			msisdn, drn, kind, since).Scan(&f.ID, &f.Ref, &created)
		repeat := err == nil
		switch {
		case repeat:
			f.CreatedAt = store.Time(created)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		default:
			f.ID, f.Ref, f.CreatedAt = uuid.Must(uuid.NewV7()).String(), newRef(), tx.Now
			_, err = tx.Exec(`INSERT INTO faults (id, ref, msisdn, meter_drn, kind, note, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				f.ID, f.Ref, f.MSISDN, f.MeterDRN, f.Kind, f.Note, f.State, store.Micros(tx.Now))
			if err != nil {
				return err
			}
		}
		if by == "" {
			return nil
		}
		from := "no phone"
		if msisdn != "" {
			from = "phone " + phone.Mask(msisdn)
		}
		detail := fmt.Sprintf("%s %s, meter %s, %s", f.Ref, kind, drn, from)
		if repeat {
			detail += ", a repeat of the report made " + tx.Now.Sub(f.CreatedAt).Round(time.Second).String() + " before"
		}
		if f.Note != "" {
			detail += ": " + f.Note
		}
		return audit(tx, by, "fault.report", f.ID, detail)
	})
	if err != nil {
		return Fault{}, fmt.Errorf("report fault: %w", err)
	}
	return f, nil
}

// Faults returns the newest faults, optionally of one phone.
func Faults(ctx context.Context, db *store.DB, msisdn string, limit int) ([]Fault, error) {
	if msisdn != "" {
		return faults(ctx, db, `WHERE msisdn = $1 ORDER BY created_at DESC LIMIT $2`, msisdn, limit)
	}
	return faults(ctx, db, `ORDER BY created_at DESC LIMIT $1`, limit)
}

func faults(ctx context.Context, db *store.DB, where string, args ...any) ([]Fault, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT id, ref, msisdn, meter_drn, kind, note, state, created_at FROM faults `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("faults: %w", err)
	}
	defer rows.Close()
	var out []Fault
	for rows.Next() {
		var f Fault
		var created int64
		if err := rows.Scan(&f.ID, &f.Ref, &f.MSISDN, &f.MeterDRN, &f.Kind, &f.Note, &f.State, &created); err != nil {
			return nil, err
		}
		f.CreatedAt = store.Time(created)
		out = append(out, f)
	}
	return out, rows.Err()
}

// OpenFaults returns the faults still open, oldest first: the queue care
// works through.
func OpenFaults(ctx context.Context, db *store.DB, limit int) ([]Fault, error) {
	return faults(ctx, db, `WHERE state = 'open' ORDER BY created_at LIMIT $1`, limit)
}

// audit writes an audit event in tx.
func audit(tx *store.Tx, actor, action, subject, detail string) error {
	_, err := tx.Exec(`INSERT INTO audit_events (id, at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		uuid.Must(uuid.NewV7()).String(), store.Micros(tx.Now), actor, action, subject, store.Truncate(detail, 500))
	return err
}

// FaultsFor returns the newest faults reported by any of the phones or
// about any of the meters.
func FaultsFor(ctx context.Context, db *store.DB, phones, meters []string, limit int) ([]Fault, error) {
	var args []any
	pIn, mIn := store.In(&args, phones), store.In(&args, meters)
	args = append(args, limit)
	return faults(ctx, db, `WHERE msisdn IN (`+pIn+`) OR meter_drn IN (`+mIn+`) ORDER BY created_at DESC LIMIT $`+fmt.Sprint(len(args)), args...)
}
