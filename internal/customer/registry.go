package customer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// Registry makes the changes staff make to meters over their life:
// register, edit, deactivate and reactivate, move to another customer,
// queue a key change, swap for a new meter. Each change is one transaction
// with its audit event (who, what, which meter, the detail), so a change is
// never made unrecorded.
type Registry struct {
	DB *store.DB
	// Audit writes an audit event in the transaction of the change it
	// records; payment.Audit is the product's (this package cannot import
	// payment, which imports it). Required: without it every change is
	// refused.
	Audit Auditor
}

// Auditor writes one audit event in tx.
type Auditor func(tx *store.Tx, actor, action, subject, detail string) error

// event is one audit event a change writes.
type event struct {
	action, subject, detail string
}

var (
	// ErrInvalid is wrapped by *InvalidError: the request itself is wrong.
	ErrInvalid = errors.New("invalid request")
	// ErrConflict is returned for a change the meter's state forbids: a
	// meter registered twice, a retired meter edited, an active meter
	// activated.
	ErrConflict = errors.New("conflict")
)

// InvalidError lists everything wrong with a request, not only the first.
type InvalidError struct {
	Problems []string
}

func (e *InvalidError) Error() string { return strings.Join(e.Problems, "; ") }

func (e *InvalidError) Unwrap() error { return ErrInvalid }

// invalid returns an *InvalidError for problems, or nil when there are none.
func invalid(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return &InvalidError{Problems: problems}
}

// conflictError is a change the meter's state forbids; it is ErrConflict
// without saying so in its text, which names the state already.
type conflictError struct{ msg string }

func (e *conflictError) Error() string { return e.msg }

func (e *conflictError) Is(target error) bool { return target == ErrConflict }

func conflict(format string, args ...any) error {
	return &conflictError{fmt.Sprintf(format, args...)}
}

// change runs fn in a transaction and writes the events it returns with it.
func (r *Registry) change(ctx context.Context, actor string, fn func(tx *store.Tx) ([]event, error)) error {
	if r.Audit == nil {
		return errors.New("meter registry: no auditor, and meter changes must be audited")
	}
	if strings.TrimSpace(actor) == "" {
		return errors.New("meter registry: no actor to record")
	}
	return r.DB.InTx(ctx, func(tx *store.Tx) error {
		evs, err := fn(tx)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := r.Audit(tx, actor, e.action, e.subject, e.detail); err != nil {
				return err
			}
		}
		return nil
	})
}

// changeMeter runs fn on meter drn (as typed), read and locked in the
// change's transaction (against vends and other changes, on PostgreSQL),
// and returns the meter as fn left it. A retired meter is refused: its
// number was replaced by another meter's.
func (r *Registry) changeMeter(ctx context.Context, actor, drn string, fn func(tx *store.Tx, m *Meter) ([]event, error)) (Meter, error) {
	drn = NormalizeNumber(drn)
	var out Meter
	err := r.change(ctx, actor, func(tx *store.Tx) ([]event, error) {
		ms, err := LockMeters(tx, []string{drn})
		if err != nil {
			return nil, err
		}
		m, ok := ms[drn]
		if !ok {
			return nil, fmt.Errorf("meter %s: %w", drn, store.ErrNotFound)
		}
		if m.Status == MeterRetired {
			return nil, conflict("meter %s is retired (replaced by %s): change the meter that took its place", m.DRN, m.ReplacedBy)
		}
		evs, err := fn(tx, m)
		out = *m
		return evs, err
	})
	if err != nil {
		return Meter{}, err
	}
	return out, nil
}

// Owner names whose a meter is: an existing customer by ID, or a new one.
type Owner struct {
	CustomerID string
	New        Customer // used when CustomerID is ""
}

// check normalises a new owner's language and phones, returning what is
// wrong with them.
func (o *Owner) check() []string {
	if o.CustomerID != "" {
		return nil
	}
	var problems []string
	c := &o.New
	if c.Language == "" {
		c.Language = "en"
	}
	if err := checkLanguage(c.Language); err != nil {
		problems = append(problems, err.Error())
	}
	phones, err := normalizePhones(c.Phones)
	if err != nil {
		problems = append(problems, err.Error())
	}
	c.Phones = phones
	return problems
}

// resolve returns the owner's customer ID, creating the new customer in tx.
func (o *Owner) resolve(tx *store.Tx) (string, error) {
	if o.CustomerID == "" {
		if err := Create(tx, &o.New); err != nil {
			return "", err
		}
		return o.New.ID, nil
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM customers WHERE id = $1`, o.CustomerID).Scan(&n); err != nil {
		return "", fmt.Errorf("customer %s: %w", o.CustomerID, err)
	}
	if n == 0 {
		return "", invalid([]string{fmt.Sprintf("customer %s does not exist", o.CustomerID)})
	}
	return o.CustomerID, nil
}

func checkLanguage(l string) error {
	if l != "en" && l != "sw" {
		return fmt.Errorf("language %q: want en or sw", l)
	}
	return nil
}

// normalizePhones returns the numbers in international form, or an error
// naming the first that is not a mobile number.
func normalizePhones(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, p := range in {
		n, err := phone.Normalize(p)
		if err != nil {
			return nil, fmt.Errorf("phones: %w", err)
		}
		out = append(out, n)
	}
	return out, nil
}

// masked shows phones for the audit log as the logs do: "2547****149".
func masked(phones []string) string {
	out := make([]string, len(phones))
	for i, p := range phones {
		out[i] = phone.Mask(p)
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// checkTariff refuses a tariff id that is not stored.
func checkTariff(tx *store.Tx, id string) error {
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM tariffs WHERE id = $1`, id).Scan(&n); err != nil {
		return fmt.Errorf("tariff %s: %w", id, err)
	}
	if n == 0 {
		return invalid([]string{fmt.Sprintf("tariff %q does not exist", id)})
	}
	return nil
}
