package outage

import (
	"context"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/store"
)

// Subscribe adds msisdn to the notices of area, in lang. Subscribing again
// changes only the language.
func Subscribe(ctx context.Context, db *store.DB, msisdn, area, lang string) error {
	area = strings.TrimSpace(area)
	err := db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO outage_subscriptions (msisdn, area, language, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (msisdn, area) DO UPDATE SET language = excluded.language`, msisdn, area, lang, store.Micros(tx.Now))
		return err
	})
	if err != nil {
		return fmt.Errorf("subscribe to %s: %w", area, err)
	}
	return nil
}

// Unsubscribe removes msisdn from every area it subscribed to.
func Unsubscribe(ctx context.Context, db *store.DB, msisdn string) error {
	err := db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`DELETE FROM outage_subscriptions WHERE msisdn = $1`, msisdn)
		return err
	})
	if err != nil {
		return fmt.Errorf("unsubscribe: %w", err)
	}
	return nil
}

// FindArea returns the area of the network named name, in the spelling
// the meters have it (customers type "kibera"), and whether there is one.
func FindArea(ctx context.Context, db *store.DB, name string) (string, bool, error) {
	as, err := store.Strings(ctx, db.Read(), `SELECT DISTINCT area FROM meters WHERE lower(area) = lower($1) ORDER BY area LIMIT 1`, strings.TrimSpace(name))
	if err != nil || len(as) == 0 {
		return "", false, err
	}
	return as[0], true, nil
}
