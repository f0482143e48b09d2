package isp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/store"
)

// PhoneLanguage reports whether msisdn is registered to a subscriber, and
// the language of the first one: a phone with only an internet account
// logs in to the customer portal with it (login.PhoneBook).
func PhoneLanguage(ctx context.Context, tx *store.Tx, msisdn string) (string, bool, error) {
	var lang string
	err := tx.QueryRowContext(ctx, `SELECT u.language FROM isp_subscribers u JOIN isp_subscriber_phones p ON p.subscriber_id = u.id
		WHERE p.msisdn = $1 ORDER BY u.created_at, u.id LIMIT 1`, msisdn).Scan(&lang)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("subscribers of a phone: %w", err)
	}
	return lang, true, nil
}
