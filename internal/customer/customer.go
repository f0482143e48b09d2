// Package customer holds the people Mteja serves and what they own: their
// phones, their language and their prepaid meters.
package customer

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// Customer is a person or business the utility serves.
type Customer struct {
	ID       string
	Name     string
	Language string // "en" or "sw"
	Phones   []string
}

// Create writes c (and its phones) in tx; an empty ID gets a new one.
func Create(tx *store.Tx, c *Customer) error {
	if c.ID == "" {
		c.ID = uuid.Must(uuid.NewV7()).String()
	}
	if c.Language == "" {
		c.Language = "en"
	}
	if _, err := tx.Exec(`INSERT INTO customers (id, name, language, created_at) VALUES ($1, $2, $3, $4)`,
		c.ID, c.Name, c.Language, store.Micros(tx.Now)); err != nil {
		return fmt.Errorf("create customer: %w", err)
	}
	for _, p := range c.Phones {
		if _, err := tx.Exec(`INSERT INTO customer_phones (customer_id, msisdn) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c.ID, p); err != nil {
			return fmt.Errorf("create customer phone: %w", err)
		}
	}
	return nil
}

// Querier reads through the read pool or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Get returns one customer with its phones.
func Get(ctx context.Context, q Querier, id string) (Customer, error) {
	c := Customer{ID: id}
	err := q.QueryRowContext(ctx, `SELECT name, language FROM customers WHERE id = $1`, id).Scan(&c.Name, &c.Language)
	if err != nil {
		return Customer{}, store.NotFound(err, "customer "+id)
	}
	rows, err := q.QueryContext(ctx, `SELECT msisdn FROM customer_phones WHERE customer_id = $1 ORDER BY msisdn`, id)
	if err != nil {
		return Customer{}, fmt.Errorf("customer %s phones: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return Customer{}, err
		}
		c.Phones = append(c.Phones, p)
	}
	return c, rows.Err()
}

// LanguageOf returns the preferred language of the customer owning msisdn,
// "en" when the number is not registered.
func LanguageOf(ctx context.Context, q Querier, msisdn string) (string, error) {
	var lang string
	err := q.QueryRowContext(ctx, `SELECT c.language FROM customers c JOIN customer_phones p ON p.customer_id = c.id WHERE p.msisdn = $1 ORDER BY c.created_at LIMIT 1`, msisdn).Scan(&lang)
	if err == sql.ErrNoRows {
		return "en", nil
	}
	if err != nil {
		return "", fmt.Errorf("language of phone: %w", err)
	}
	return lang, nil
}

// SetLanguage sets the language of every customer registered with msisdn.
func SetLanguage(ctx context.Context, db *store.DB, msisdn, lang string) error {
	if lang != "en" && lang != "sw" {
		return fmt.Errorf("language %q: want en or sw", lang)
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE customers SET language = $2 WHERE id IN (SELECT customer_id FROM customer_phones WHERE msisdn = $1)`, msisdn, lang)
		return err
	})
}
