package care

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/phone"
)

// ErrNoCustomer is returned for a ticket staff open that names no phone,
// meter or account.
var ErrNoCustomer = errors.New("name the customer by phone, meter or account")

// ErrBadPhone wraps a phone number staff typed that is not one.
var ErrBadPhone = errors.New("not a phone number")

// ForCustomer fills r's phone, meter and account from what staff typed:
// a phone in any usual form, a meter number with or without its dashes, an
// ISP username. A meter must exist (store.ErrNotFound otherwise).
func ForCustomer(ctx context.Context, q Querier, r *Request, rawPhone, rawMeter, account string) error {
	r.MeterDRN, r.Account = customer.NormalizeNumber(rawMeter), strings.TrimSpace(account)
	if raw := strings.TrimSpace(rawPhone); raw != "" {
		n, err := phone.Normalize(raw)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadPhone, err)
		}
		r.MSISDN = n
	}
	switch {
	case r.MSISDN == "" && r.MeterDRN == "" && r.Account == "":
		return ErrNoCustomer
	case len(r.Account) > 64:
		return fmt.Errorf("account: at most 64 characters: %w", ErrNoCustomer)
	case r.MeterDRN != "":
		_, err := customer.GetMeter(ctx, q, r.MeterDRN)
		return err
	}
	return nil
}
