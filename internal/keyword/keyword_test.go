package keyword_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/keyword"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// setup makes a customer with one meter and one real vend, through intake
// and the vend worker, and returns the token's digits.
func setup(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := vend.SaveTariff(tx, "domestic", tariff.SampleYAML()); err != nil {
			return err
		}
		c := &customer.Customer{Name: "Mary Wanjiku", Language: "sw", Phones: []string{"254712345678"}}
		if err := customer.Create(tx, c); err != nil {
			return err
		}
		return customer.CreateMeter(tx, &customer.Meter{DRN: "04123456784", CustomerID: c.ID, SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255,
			BaseDate: 2014, Algorithm: "EA07", DKGA: "02", TariffID: "domestic"})
	})
	if err != nil {
		t.Fatal(err)
	}
	in := payment.NewIntake(db)
	go in.Run(ctx)
	if _, err := in.Record(ctx, payment.Payment{Provider: payment.MpesaC2B, Receipt: "SKL51ZDR4F", Amount: money.MustFromMajor(500), AccountRef: "04123456784", PaidAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	vk, _ := sts.ParseVendingKey("ABABABABABABABAB")
	gen, _ := sts.NewSoftwareGenerator(vk)
	w := &vend.Worker{DB: db, Generator: gen, Tariffs: &vend.Tariffs{DB: db}}
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := vend.ByReceipt(ctx, db.Read(), "SKL51ZDR4F")
	if err != nil {
		t.Fatal(err)
	}
	return v.Tokens[0].Grouped()
}

func TestKeywords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		token := setup(t, db)
		r := &keyword.Responder{DB: db, Utility: "Mteja Power", USSDCode: "*384*123#"}
		tests := []struct {
			from, text string
			want       []string
			not        []string
		}{
			{"254712345678", "token", []string{"Tokeni za mita 04123456784", token, "kWh"}, nil}, // a Swahili speaker's default
			{"254712345678", "  Tokeni ", []string{"Tokeni za mita", token}, nil},
			// Anyone may ask for a meter's tokens by its number (a token
			// works only in its meter), but not what was bought.
			{"254799999999", "TOKEN 0412-3456-784", []string{"Tokens for meter 04123456784", token}, []string{"kWh", "KES"}},
			{"254799999999", "TOKEN", []string{"No meter is registered"}, nil},
			{"254799999999", "TOKEN 99999999999", []string{"not one of ours"}, nil},
			{"254712345678", "SALIO", []string{"Mita 04123456784", "KES 500.00", "Deni: KES 0.00"}, nil},
			{"254799999999", "BAL 04123456784", []string{"only to its registered phones"}, []string{"KES", "Last:", "kWh", "Debt"}},
			{"254799999999", "HELP", []string{"Send TOKEN", "*384*123#"}, nil},
			{"254799999999", "hello there", []string{`We did not understand "HELLO"`, "Send TOKEN"}, nil},
			{"254799999999", "", []string{"Send TOKEN"}, nil},
			// What a meter's message means, in the sender's language.
			{"254799999999", "METER rejected", []string{"Rejected: Check the meter number on the SMS"}, nil},
			{"254799999999", "meter Key-Change", []string{"Key change: A key change token was accepted."}, nil},
			{"254712345678", "meter used", []string{"Imeshatumika: Tokeni hii iliingizwa awali"}, nil},
			{"254799999999", "MITA err", []string{"Imekataliwa: Hakikisha nambari ya mita"}, nil},
			{"254799999999", "METER", []string{"Send METER and what your meter shows", "ACCEPT, REJECT, USED", "BATTERY"}, nil},
			{"254799999999", "METER flashing lights", []string{"Send METER and what your meter shows"}, nil},
		}
		for _, tt := range tests {
			rep, err := r.Answer(ctx, tt.from, tt.text)
			if err != nil {
				t.Fatalf("%q: %v", tt.text, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(rep.Body, w) {
					t.Errorf("%q from %s: reply %q lacks %q", tt.text, tt.from, rep.Body, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(rep.Body, w) {
					t.Errorf("%q from %s: reply %q tells %q", tt.text, tt.from, rep.Body, w)
				}
			}
		}
		// STOP and START change the opt-out; the reply is queued as a
		// transactional message, which STOP does not silence.
		if _, err := r.Handle(ctx, "254712345678", "sitisha"); err != nil {
			t.Fatal(err)
		}
		if out, _ := keyword.OptedOut(ctx, db, "254712345678"); !out {
			t.Fatal("STOP did not opt out")
		}
		all, _ := notify.ForRecipient(ctx, db, "254712345678", 5)
		var msgs []notify.Message
		for _, m := range all {
			if m.Template == "keyword" {
				msgs = append(msgs, m)
			}
		}
		if len(msgs) != 1 || msgs[0].Lane != notify.LaneTransactional || !strings.Contains(msgs[0].Body, "ANZA") {
			t.Fatalf("STOP reply = %+v", msgs)
		}
		r.Handle(ctx, "254712345678", "START")
		if out, _ := keyword.OptedOut(ctx, db, "254712345678"); out {
			t.Fatal("START did not opt back in")
		}
	})
}

// One phone may look up only so many meters that are not its own: each
// distinct number counts once an hour, found or not, so the keywords cannot
// be used to learn which meter numbers are served. Asking again about a
// meter already looked up, and about one's own meters, is free.
func TestKeywordMeterLookupsLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		token := setup(t, db)
		r := &keyword.Responder{DB: db, Utility: "Mteja Power", USSDCode: "*384*123#"}
		const prober = "254799999998"
		answer := func(from, text string) string {
			rep, err := r.Answer(ctx, from, text)
			if err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			return rep.Body
		}
		if got := answer(prober, "TOKEN 04123456784"); !strings.Contains(got, token) {
			t.Fatalf("first look-up: %q", got)
		}
		for i := 1; i < customer.OtherMeters.Max; i++ {
			if got := answer(prober, fmt.Sprintf("TOKEN 5450032%04d", i)); !strings.Contains(got, "not one of ours") {
				t.Fatalf("look-up %d: %q", i+1, got)
			}
		}
		if got := answer(prober, "TOKEN 04123456784"); !strings.Contains(got, token) {
			t.Errorf("a meter already looked up is refused: %q", got)
		}
		if got := answer(prober, "TOKEN 54500329999"); !strings.Contains(got, "many meters") {
			t.Errorf("look-up %d: %q, want refused", customer.OtherMeters.Max+1, got)
		}
		if got := answer("254712345678", "TOKEN 04123456784"); !strings.Contains(got, token) {
			t.Errorf("the owner is limited by a stranger's look-ups: %q", got)
		}
	})
}
