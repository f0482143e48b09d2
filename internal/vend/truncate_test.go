package vend_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// A suspense reason longer than its 500 bytes is cut between characters:
// cut inside one, PostgreSQL refuses the row and the payment never leaves
// the queue. The reason here names a tariff written in Cyrillic, whose
// 500th byte falls inside a letter.
func TestLongReasonCutBetweenCharacters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		drn, err := sts.WithCheckDigit("0700000001")
		if err != nil {
			t.Fatal(err)
		}
		name := "a" + strings.Repeat("ж", 300)
		yaml := strings.Replace(strings.Replace(string(tariff.SampleYAML()), "name: kenya-domestic-sample", "name: "+name, 1),
			"effective_from: 2023-04-01", "effective_from: 2099-01-01", 1)
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := vend.SaveTariff(tx, "future", []byte(yaml)); err != nil {
				return err
			}
			return customer.CreateMeter(tx, &customer.Meter{DRN: string(drn), SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255,
				BaseDate: 2014, Algorithm: "EA07", DKGA: "02", TariffID: "future"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.intake.Record(ctx, c2b("SKL51ZDRB1", string(drn), 500)); err != nil {
			t.Fatal(err)
		}
		b.drain(t)
		p, err := payment.ByReceipt(ctx, db.Read(), "SKL51ZDRB1")
		if err != nil {
			t.Fatal(err)
		}
		if p.State != payment.Suspense || !utf8.ValidString(p.Reason) || len(p.Reason) < 499 || len(p.Reason) > 500 || !strings.Contains(p.Reason, "жжж") {
			t.Errorf("state %s, reason of %d bytes (valid UTF-8: %v): %q; want suspense with the reason cut to 499-500 bytes between letters",
				p.State, len(p.Reason), utf8.ValidString(p.Reason), p.Reason)
		}
	})
}
