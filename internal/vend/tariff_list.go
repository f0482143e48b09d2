package vend

import (
	"context"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// StoredTariff is a tariff as stored: its id, its definition, and how many
// meters are on it.
type StoredTariff struct {
	ID        string
	Tariff    tariff.Tariff
	Source    string // the file as imported
	Meters    int
	UpdatedAt time.Time
}

const storedColumns = `t.id, t.source, t.updated_at, (SELECT count(*) FROM meters m WHERE m.tariff_id = t.id)`

func scanStored(sc interface{ Scan(...any) error }) (StoredTariff, error) {
	var s StoredTariff
	var updated int64
	if err := sc.Scan(&s.ID, &s.Source, &updated, &s.Meters); err != nil {
		return StoredTariff{}, err
	}
	s.UpdatedAt = store.Time(updated)
	t, err := tariff.Parse([]byte(s.Source))
	if err != nil {
		return StoredTariff{}, fmt.Errorf("stored tariff %s: %w", s.ID, err)
	}
	s.Tariff = t
	return s, nil
}

// ListTariffs returns every stored tariff, by id.
func ListTariffs(ctx context.Context, q Querier) ([]StoredTariff, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+storedColumns+` FROM tariffs t ORDER BY t.id`)
	if err != nil {
		return nil, fmt.Errorf("list tariffs: %w", err)
	}
	defer rows.Close()
	var out []StoredTariff
	for rows.Next() {
		s, err := scanStored(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// GetTariff returns one stored tariff; store.ErrNotFound when there is none.
func GetTariff(ctx context.Context, q Querier, id string) (StoredTariff, error) {
	s, err := scanStored(q.QueryRowContext(ctx, `SELECT `+storedColumns+` FROM tariffs t WHERE t.id = $1`, id))
	if err != nil {
		return StoredTariff{}, store.NotFound(err, "tariff "+id)
	}
	return s, nil
}

// PriceInput is what pricing knows of meter m for a payment of paid at:
// the energy it bought in at's calendar month (none when it has not bought
// since the month began, and then the purchase is the month's first, which
// takes the fixed charge) and its debt. The vend worker prices with it,
// so a quote made ahead is the receipt the payment gets.
func PriceInput(m customer.Meter, paid money.Amount, at time.Time) tariff.Input {
	in := tariff.Input{Paid: paid, MonthEnergy: m.MonthWh, Debt: m.Debt}
	if monthOf(at) > m.Month {
		in.MonthEnergy, in.FirstVendOfMonth = 0, true
	}
	return in
}

// monthOf is the calendar month, in the utility's zone, that block
// tariffs count energy in.
func monthOf(at time.Time) string { return at.In(tariff.Zone).Format("2006-01") }

// Quote prices a payment of paid at time at under tariff t, for meter m
// (its month's energy and debt) or, when m is nil, for a meter with no
// debt making its first purchase of the month. It returns the quote and
// the version that priced it.
func Quote(t tariff.Tariff, paid money.Amount, m *customer.Meter, at time.Time) (tariff.Quote, tariff.Version, error) {
	v, err := t.At(at)
	if err != nil {
		return tariff.Quote{}, tariff.Version{}, err
	}
	in := tariff.Input{Paid: paid, FirstVendOfMonth: true}
	if m != nil {
		in = PriceInput(*m, paid, at)
	}
	q, err := v.Price(in)
	return q, v, err
}
