// Package care serves customers who need a person: the tickets they open
// on any channel (faults, as they were first called), the outages the
// utility announces, so that customers hear of an outage before they have
// to ask, and what their meters' messages mean.
package care

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// Fault kinds a customer can report on USSD, the portal and the app; each
// opens a ticket of a category (categoryOfKind).
const (
	FaultNoPower       = "no_power"
	FaultTokenRejected = "token_rejected"
	FaultMeter         = "meter"
	FaultOther         = "other"
	FaultNoToken       = "no_token" // paid, and no token came
)

// ValidFaultKind reports whether k is a fault kind.
func ValidFaultKind(k string) bool {
	switch k {
	case FaultNoPower, FaultTokenRejected, FaultMeter, FaultOther, FaultNoToken:
		return true
	}
	return false
}

// Fault is a ticket as the callers that speak of faults see it.
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

func faultOf(t Ticket) Fault {
	state := "open"
	if !Active(t.State) {
		state = "closed"
	}
	return Fault{ID: t.ID, Ref: t.Ref, MSISDN: t.MSISDN, MeterDRN: t.MeterDRN, Kind: kindOfCategory(t.Category), Note: t.Note, State: state, CreatedAt: t.CreatedAt}
}

func faultsOf(ts []Ticket, err error) ([]Fault, error) {
	out := make([]Fault, 0, len(ts))
	for _, t := range ts {
		out = append(out, faultOf(t))
	}
	return out, err
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

// ReportFault opens a ticket for a fault a customer reported on channel,
// with the default categories, and returns it with its reference. A report
// from the same phone for the same meter and kind within 10 minutes returns
// the first one (a resent USSD request or an impatient customer).
func ReportFault(ctx context.Context, db *store.DB, msisdn, drn, kind, note string) (Fault, error) {
	return (&Desk{DB: db}).ReportFault(ctx, ChannelUnknown, msisdn, drn, kind, note)
}

// ReportFault opens a ticket for a fault a customer reported on channel.
func (d *Desk) ReportFault(ctx context.Context, channel, msisdn, drn, kind, note string) (Fault, error) {
	if !ValidFaultKind(kind) {
		return Fault{}, fmt.Errorf("report fault: kind %q: want no_power, token_rejected, meter, no_token or other", kind)
	}
	t, _, err := d.Open(ctx, Request{Channel: channel, MSISDN: msisdn, MeterDRN: drn, Category: categoryOfKind(kind), Note: note})
	if err != nil {
		return Fault{}, fmt.Errorf("report fault: %w", err)
	}
	return faultOf(t), nil
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
	if !ValidFaultKind(kind) {
		return Fault{}, fmt.Errorf("raise fault: kind %q: want no_power, token_rejected, meter, no_token or other", kind)
	}
	d := &Desk{DB: db}
	var t Ticket
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var repeat bool
		var err error
		t, repeat, err = d.openTicket(ctx, tx, Request{Channel: ChannelConsole, MSISDN: msisdn, MeterDRN: drn, Category: categoryOfKind(kind), Note: note, By: by}, 0)
		if err != nil {
			return err
		}
		from := "no phone"
		if msisdn != "" {
			from = "phone " + phone.Mask(msisdn)
		}
		detail := fmt.Sprintf("%s %s, meter %s, %s", t.Ref, kind, drn, from)
		if repeat {
			detail += ", a repeat of the report made " + tx.Now.Sub(t.CreatedAt).Round(time.Second).String() + " before"
		}
		if n := strings.TrimSpace(note); n != "" {
			detail += ": " + n
		}
		if err := audit(tx, by, "fault.report", t.ID, detail); err != nil || repeat || msisdn == "" {
			return err
		}
		return d.send(tx, t, "", d.text(t.Language, "ack", t.Ref, d.CategoryLabel(t.Category, t.Language)), false)
	})
	if err != nil {
		return Fault{}, fmt.Errorf("raise fault: %w", err)
	}
	return faultOf(t), nil
}

// Faults returns the newest faults, optionally of one phone.
func Faults(ctx context.Context, db *store.DB, msisdn string, limit int) ([]Fault, error) {
	return faultsOf(Tickets(ctx, db.Read(), Filter{MSISDN: msisdn, Limit: limit}))
}

// OpenFaults returns the faults still open, oldest first: the queue care
// works through.
func OpenFaults(ctx context.Context, db *store.DB, limit int) ([]Fault, error) {
	return faultsOf(Tickets(ctx, db.Read(), Filter{State: "active", Limit: limit}))
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
	return faultsOf(TicketsFor(ctx, db.Read(), phones, meters, limit))
}
