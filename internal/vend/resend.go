package vend

import (
	"context"
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// ResendTo says where a re-send goes and who asked.
type ResendTo struct {
	// Phone is the normalised number to send to; "" means every phone
	// registered for the meter.
	Phone string
	// AnyPhone lets Phone be a number not registered for the meter;
	// without it such a number is refused with ErrNotRegistered, so that
	// whoever may re-send cannot turn a meter's tokens to their own phone.
	AnyPhone bool
	// Actor, when set, has the re-send recorded in the audit log, with
	// Reason, in the transaction that queues the messages.
	Actor, Reason string
}

// ErrNotRegistered is returned when a re-send names a phone that is not
// registered for the meter and the caller may not send elsewhere.
var ErrNotRegistered = errors.New("not a phone registered for the meter")

// ErrNoPhone is returned when a re-send to the registered phones finds
// none: the meter has no customer, or the customer no phone.
var ErrNoPhone = errors.New("no registered phone to send to")

// Resend queues an SMS with a meter's last n vends' tokens to to.Phone, or
// to every phone registered for the meter when that is "". Tokens are never
// made again: the stored digits are sent, any number of times.
func Resend(ctx context.Context, db *store.DB, utility, drn string, to ResendTo, n int) (int, error) {
	if n <= 0 || n > 5 {
		n = 3
	}
	vs, err := ForMeter(ctx, db.Read(), drn, n)
	if err != nil {
		return 0, err
	}
	if len(vs) == 0 {
		return 0, fmt.Errorf("meter %s has no tokens yet: %w", drn, store.ErrNotFound)
	}
	type line struct{ Date, Digits, Units string }
	var lines []line
	for _, v := range vs {
		for _, t := range v.Tokens {
			units := v.Quote.Units
			if t.Kind != KindCredit {
				units = "key"
			}
			lines = append(lines, line{v.CreatedAt.In(tariff.Zone).Format("02/01 15:04"), t.Grouped(), units})
		}
	}
	var sent int
	err = db.InTx(ctx, func(tx *store.Tx) error {
		phones, err := customer.PhonesForMeters(tx, []string{drn})
		if err != nil {
			return err
		}
		recipients, err := resendRecipients(ctx, tx, drn, to, phones[drn])
		if err != nil {
			return err
		}
		if to.Actor != "" {
			if err := payment.Audit(tx, to.Actor, "meter.resend", drn, resendDetail(to)); err != nil {
				return err
			}
		}
		var msgs []notify.Message
		for _, r := range recipients {
			body, err := notify.Render("token_resend", r.Language, map[string]any{"Utility": utility, "Meter": drn, "Tokens": lines})
			if err != nil {
				return err
			}
			msgs = append(msgs, notify.Message{Recipient: r.MSISDN, Lane: notify.LaneToken, Template: "token_resend", Language: r.Language, Body: body, Ref: vs[0].ID})
		}
		sent = len(msgs)
		return notify.Enqueue(tx, msgs...)
	})
	return sent, err
}

// resendRecipients picks who gets a re-send among the meter's registered
// phones, or another phone when to allows it.
func resendRecipients(ctx context.Context, tx *store.Tx, drn string, to ResendTo, registered []customer.Recipient) ([]customer.Recipient, error) {
	if to.Phone == "" {
		if len(registered) == 0 {
			return nil, fmt.Errorf("meter %s has %w", drn, ErrNoPhone)
		}
		return registered, nil
	}
	for _, r := range registered {
		if r.MSISDN == to.Phone {
			return []customer.Recipient{r}, nil
		}
	}
	if !to.AnyPhone {
		return nil, fmt.Errorf("re-send to %s: %w %s", to.Phone, ErrNotRegistered, drn)
	}
	lang, err := customer.LanguageOf(ctx, tx, to.Phone)
	if err != nil {
		return nil, err
	}
	return []customer.Recipient{{MSISDN: to.Phone, Language: lang}}, nil
}

// resendDetail says in the audit log where a re-send went and why.
func resendDetail(to ResendTo) string {
	d := "to every registered phone"
	if to.Phone != "" {
		d = "to " + to.Phone
	}
	if to.Reason != "" {
		d += "; reason: " + to.Reason
	}
	return d
}
