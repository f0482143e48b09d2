package isp

import (
	"context"
	"errors"

	"github.com/mteja/mteja/internal/store"
)

// TakeNumberAndRollBack takes an invoice number in a transaction that
// then fails, as a fault after the number would.
func TakeNumberAndRollBack(db *store.DB) (string, error) {
	var n string
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		if n, err = nextNumber(tx, "INV", tx.Now); err != nil {
			return err
		}
		return errRolledBack
	})
	if errors.Is(err, errRolledBack) {
		err = nil
	}
	return n, err
}

var errRolledBack = errors.New("rolled back on purpose")

// SetReminderPage sets how many unpaid invoices a read of the reminder
// sweep takes, until the test ends.
func SetReminderPage(t interface{ Cleanup(func()) }, n int) {
	old := reminderPage
	reminderPage = n
	t.Cleanup(func() { reminderPage = old })
}
