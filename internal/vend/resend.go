package vend

import (
	"context"
	"fmt"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// Resend queues an SMS with a meter's last n vends' tokens to msisdn, or to
// every phone registered for the meter when msisdn is "". Tokens are never
// made again: the stored digits are sent, any number of times.
func Resend(ctx context.Context, db *store.DB, utility, drn, msisdn string, n int) (int, error) {
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
		var to []customer.Recipient
		if msisdn != "" {
			lang, err := customer.LanguageOf(ctx, tx, msisdn)
			if err != nil {
				return err
			}
			to = []customer.Recipient{{MSISDN: msisdn, Language: lang}}
		} else {
			m, err := customer.PhonesForMeters(tx, []string{drn})
			if err != nil {
				return err
			}
			to = m[drn]
		}
		if len(to) == 0 {
			return fmt.Errorf("meter %s has no registered phone to send to", drn)
		}
		var msgs []notify.Message
		for _, r := range to {
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
