package outreach

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/tariff"
)

// testBundle is a database with a settable clock and the sample tariff.
type testBundle struct {
	db *store.DB
	mu sync.Mutex
	at time.Time
	n  int
}

func setup(t *testing.T, db *store.DB, now time.Time) *testBundle {
	t.Helper()
	b := &testBundle{db: db, at: now}
	db.Now = b.now
	b.exec(t, `INSERT INTO tariffs (id, currency, source, created_at, updated_at) VALUES ($1, 'KES', $2, 0, 0)`,
		"kenya-domestic-sample", string(tariff.SampleYAML()))
	return b
}

func (b *testBundle) now() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.at
}

func (b *testBundle) set(t time.Time) {
	b.mu.Lock()
	b.at = t
	b.mu.Unlock()
}

func (b *testBundle) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	err := b.db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(q, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// customer adds a customer speaking lang with phones.
func (b *testBundle) customer(t *testing.T, id, lang string, phones ...string) {
	t.Helper()
	b.exec(t, `INSERT INTO customers (id, name, language, created_at) VALUES ($1, $1, $2, 0)`, id, lang)
	for _, p := range phones {
		b.exec(t, `INSERT INTO customer_phones (customer_id, msisdn) VALUES ($1, $2)`, id, p)
	}
}

// meter adds an active meter of the customer on the tariff, in area.
func (b *testBundle) meter(t *testing.T, drn, customer, tariffID, area string) {
	t.Helper()
	b.exec(t, `INSERT INTO meters (drn, customer_id, sgc, ti, krn, kt, base_date, algorithm, dkga, tariff_id, area, created_at, updated_at)
		VALUES ($1, $2, '123456', 1, 1, 2, 1993, 'sta', '02', $3, $4, 0, 0)`, drn, customer, tariffID, area)
}

// buy records a vend of KES amount for the meter at the time.
func (b *testBundle) buy(t *testing.T, drn string, at time.Time, amount int64) string {
	t.Helper()
	b.mu.Lock()
	b.n++
	n := b.n
	b.mu.Unlock()
	pay, vend := fmt.Sprintf("pay-%s-%d", drn, n), fmt.Sprintf("vend-%s-%d", drn, n)
	amt := money.MustFromMajor(amount)
	b.exec(t, `INSERT INTO payments (id, provider, receipt, amount, currency, meter_drn, state, paid_at, received_at)
		VALUES ($1, 'mpesa_c2b', $1, $2, 'KES', $3, 'applied', $4, $4)`, pay, amt, drn, store.Micros(at))
	b.exec(t, `INSERT INTO vends (id, payment_id, meter_drn, tariff_id, tariff_version, amount, energy_wh, tenths, quote, created_at)
		VALUES ($1, $2, $3, 'kenya-domestic-sample', '2023-04-01', $4, 20000, 200, '{}', $5)`, vend, pay, drn, amt, store.Micros(at))
	return vend
}

// buyEvery records purchases of KES 500 every interval days, the last one
// at last, count in all.
func (b *testBundle) buyEvery(t *testing.T, drn string, last time.Time, interval, count int) {
	t.Helper()
	for i := count - 1; i >= 0; i-- {
		b.buy(t, drn, last.AddDate(0, 0, -i*interval), 500)
	}
}

// messages returns the messages of a template, oldest first.
func (b *testBundle) messages(t *testing.T, template string) []notify.Message {
	t.Helper()
	all, err := notify.Recent(context.Background(), b.db, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Message
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Template == template {
			out = append(out, all[i])
		}
	}
	return out
}

// releaseAt returns when the outbox will first try a message.
func (b *testBundle) releaseAt(t *testing.T, id string) time.Time {
	t.Helper()
	var at int64
	if err := b.db.Read().QueryRow(`SELECT next_attempt_at FROM messages WHERE id = $1`, id).Scan(&at); err != nil {
		t.Fatal(err)
	}
	return store.Time(at)
}

// twoNodes runs fn once per engine with two handles on one database, as
// two nodes have.
func twoNodes(t *testing.T, fn func(t *testing.T, db, db2 *store.DB)) {
	t.Helper()
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			fn(t, storetest.OpenDSN(t, dsn), storetest.OpenDSN(t, dsn))
		})
	}
}
