package vend

import (
	"context"
	"fmt"
	"sync"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// Tariffs reads tariffs from the database and keeps them parsed: a vend
// needs its tariff on every call, and parsing YAML each time would cost more
// than the rest of the vend.
type Tariffs struct {
	DB *store.DB

	mu    sync.Mutex
	cache map[string]cachedTariff
}

type cachedTariff struct {
	updated int64
	t       tariff.Tariff
}

// Get returns the tariff with id, re-reading it when it changed.
func (ts *Tariffs) Get(ctx context.Context, q Querier, id string) (tariff.Tariff, error) {
	var updated int64
	if err := q.QueryRowContext(ctx, `SELECT updated_at FROM tariffs WHERE id = $1`, id).Scan(&updated); err != nil {
		return tariff.Tariff{}, store.NotFound(err, "tariff "+id)
	}
	ts.mu.Lock()
	c, ok := ts.cache[id]
	ts.mu.Unlock()
	if ok && c.updated == updated {
		return c.t, nil
	}
	var src string
	if err := q.QueryRowContext(ctx, `SELECT source FROM tariffs WHERE id = $1`, id).Scan(&src); err != nil {
		return tariff.Tariff{}, store.NotFound(err, "tariff "+id)
	}
	t, err := tariff.Parse([]byte(src))
	if err != nil {
		return tariff.Tariff{}, fmt.Errorf("tariff %s: %w", id, err)
	}
	ts.mu.Lock()
	if ts.cache == nil {
		ts.cache = map[string]cachedTariff{}
	}
	ts.cache[id] = cachedTariff{updated, t}
	ts.mu.Unlock()
	return t, nil
}

// SaveTariff stores (or replaces) a tariff's definition after checking it.
func SaveTariff(tx *store.Tx, id string, source []byte) (tariff.Tariff, error) {
	t, err := tariff.Parse(source)
	if err != nil {
		return tariff.Tariff{}, fmt.Errorf("tariff %s: %w", id, err)
	}
	now := store.Micros(tx.Now)
	_, err = tx.Exec(`INSERT INTO tariffs (id, currency, source, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT (id) DO UPDATE SET currency = excluded.currency, source = excluded.source, updated_at = excluded.updated_at`,
		id, t.Currency, string(source), now)
	if err != nil {
		return tariff.Tariff{}, fmt.Errorf("save tariff %s: %w", id, err)
	}
	return t, nil
}
