package customer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mteja/mteja/internal/store"
)

// Edit is a change to a meter's area, tariff or phones; a nil field stays.
type Edit struct {
	Area *string
	// Feeder and Transformer are the meter's place in the network, where
	// outages are declared.
	Feeder, Transformer *string
	TariffID            *string
	// Phones replace the phones of the meter's customer: they receive the
	// tokens of every meter the customer has, and identify them on USSD
	// and SMS.
	Phones *[]string
	// AddPhones are numbers to add to the customer's phones (to Phones,
	// when given too), keeping the ones they have: read in the change's
	// transaction, with the customer locked, so that two additions made
	// at once both stay.
	AddPhones []string
}

// Edit changes meter drn as e says.
func (r *Registry) Edit(ctx context.Context, actor, drn string, e Edit) (Meter, error) {
	var phones *[]string
	if e.Phones != nil {
		p, err := normalizePhones(*e.Phones)
		if err != nil {
			return Meter{}, invalid([]string{err.Error()})
		}
		phones = &p
	}
	add, err := normalizePhones(e.AddPhones)
	if err != nil {
		return Meter{}, invalid([]string{err.Error()})
	}
	if e.Area == nil && e.Feeder == nil && e.Transformer == nil && e.TariffID == nil && e.Phones == nil && len(add) == 0 {
		return Meter{}, invalid([]string{"nothing to change: give an area, a feeder, a transformer, a tariff or phones"})
	}
	return r.changeMeter(ctx, actor, drn, func(tx *store.Tx, m *Meter) ([]event, error) {
		var what []string
		if e.Area != nil && strings.TrimSpace(*e.Area) != m.Area {
			area := strings.TrimSpace(*e.Area)
			what = append(what, fmt.Sprintf("area %q → %q", m.Area, area))
			m.Area = area
		}
		for _, f := range []struct {
			name     string
			new, cur *string
		}{{"feeder", e.Feeder, &m.Feeder}, {"transformer", e.Transformer, &m.Transformer}} {
			if f.new != nil && strings.TrimSpace(*f.new) != *f.cur {
				v := strings.TrimSpace(*f.new)
				what = append(what, fmt.Sprintf("%s %q → %q", f.name, *f.cur, v))
				*f.cur = v
			}
		}
		if e.TariffID != nil && strings.TrimSpace(*e.TariffID) != m.TariffID {
			id := strings.TrimSpace(*e.TariffID)
			if err := checkTariff(tx, id); err != nil {
				return nil, err
			}
			what = append(what, fmt.Sprintf("tariff %s → %s", m.TariffID, id))
			m.TariffID = id
		}
		if _, err := tx.Exec(`UPDATE meters SET area = $2, tariff_id = $3, updated_at = $4, feeder = $5, transformer = $6 WHERE drn = $1`,
			m.DRN, m.Area, m.TariffID, store.Micros(tx.Now), m.Feeder, m.Transformer); err != nil {
			return nil, fmt.Errorf("edit meter %s: %w", m.DRN, err)
		}
		if phones != nil || len(add) > 0 {
			changed, err := setPhones(ctx, tx, m, phones, add)
			if err != nil {
				return nil, err
			}
			if changed != "" {
				what = append(what, changed)
			}
		}
		if len(what) == 0 {
			return nil, nil // as it was: nothing to record
		}
		return []event{{"meter.edit", m.DRN, strings.Join(what, "; ")}}, nil
	})
}

// setPhones sets the phones of m's customer to replace (nil: the ones they
// have) and add, and says what changed, "" for nothing.
func setPhones(ctx context.Context, tx *store.Tx, m *Meter, replace *[]string, add []string) (string, error) {
	if m.CustomerID == "" {
		return "", invalid([]string{fmt.Sprintf("meter %s has no customer whose phones to set: move it to one", m.DRN)})
	}
	// Locked on PostgreSQL: changes through two meters of one customer are
	// made one after the other, each on what the other left.
	if _, err := tx.Exec(`SELECT id FROM customers WHERE id = $1 `+tx.ForUpdate(), m.CustomerID); err != nil {
		return "", fmt.Errorf("lock customer %s: %w", m.CustomerID, err)
	}
	c, err := Get(ctx, tx, m.CustomerID)
	if err != nil {
		return "", err
	}
	phones := c.Phones
	if replace != nil {
		phones = *replace
	}
	phones = append(slices.Clone(phones), add...)
	slices.Sort(phones)
	phones = slices.Compact(phones)
	if slices.Equal(c.Phones, phones) {
		return "", nil
	}
	if _, err := tx.Exec(`DELETE FROM customer_phones WHERE customer_id = $1`, c.ID); err != nil {
		return "", fmt.Errorf("set phones of customer %s: %w", c.ID, err)
	}
	for _, p := range phones {
		if _, err := tx.Exec(`INSERT INTO customer_phones (customer_id, msisdn) VALUES ($1, $2)`, c.ID, p); err != nil {
			return "", fmt.Errorf("set phones of customer %s: %w", c.ID, err)
		}
	}
	return fmt.Sprintf("phones of customer %s %s → %s", c.ID, masked(c.Phones), masked(phones)), nil
}

// Deactivate stops sales to meter drn: from now on a payment for it goes
// to suspense, where staff refund it or assign it elsewhere, and a payment
// already received for it is not vended either. reason is kept in the
// audit log.
func (r *Registry) Deactivate(ctx context.Context, actor, drn, reason string) (Meter, error) {
	return r.setStatus(ctx, actor, drn, reason, MeterInactive, "meter.deactivate", MeterActive, MeterBlocked)
}

// Reactivate lets meter drn be sold to again. A retired meter stays
// retired: its number was replaced by another meter's.
func (r *Registry) Reactivate(ctx context.Context, actor, drn, reason string) (Meter, error) {
	return r.setStatus(ctx, actor, drn, reason, MeterActive, "meter.reactivate", MeterInactive, MeterBlocked)
}

// setStatus moves meter drn to status to from one of from.
func (r *Registry) setStatus(ctx context.Context, actor, drn, reason, to, action string, from ...string) (Meter, error) {
	return r.changeMeter(ctx, actor, drn, func(tx *store.Tx, m *Meter) ([]event, error) {
		if !slices.Contains(from, m.Status) {
			return nil, conflict("meter %s is %s already", m.DRN, m.Status)
		}
		if _, err := tx.Exec(`UPDATE meters SET status = $2, updated_at = $3 WHERE drn = $1`, m.DRN, to, store.Micros(tx.Now)); err != nil {
			return nil, fmt.Errorf("meter %s: %w", m.DRN, err)
		}
		detail := fmt.Sprintf("%s → %s", m.Status, to)
		if reason = strings.TrimSpace(reason); reason != "" {
			detail += ": " + reason
		}
		m.Status = to
		return []event{{action, m.DRN, detail}}, nil
	})
}

// Move gives meter drn to another customer, new or existing: from then on
// its tokens go to that customer's phones, and the meter shows on their
// USSD menus and in their app instead of the former owner's.
func (r *Registry) Move(ctx context.Context, actor, drn string, to Owner) (Meter, error) {
	if err := invalid(to.check()); err != nil {
		return Meter{}, err
	}
	return r.changeMeter(ctx, actor, drn, func(tx *store.Tx, m *Meter) ([]event, error) {
		if to.CustomerID != "" && to.CustomerID == m.CustomerID {
			return nil, invalid([]string{fmt.Sprintf("meter %s is customer %s's already", m.DRN, m.CustomerID)})
		}
		id, err := to.resolve(tx)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(`UPDATE meters SET customer_id = $2, updated_at = $3 WHERE drn = $1`, m.DRN, id, store.Micros(tx.Now)); err != nil {
			return nil, fmt.Errorf("move meter %s: %w", m.DRN, err)
		}
		from := m.CustomerID
		if from == "" {
			from = "no customer"
		}
		m.CustomerID = id
		return []event{{"meter.move", m.DRN, fmt.Sprintf("from %s to %s", from, ownerText(to, id))}}, nil
	})
}
