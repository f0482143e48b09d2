package care_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

const (
	swPhone = "254712345678" // Mary, who reads Swahili
	enPhone = "254722000111" // John, who reads English
	swMeter = "04123456784"
)

// customers makes a Swahili and an English customer, Mary with a meter in
// Kibera.
func customers(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		if _, err := vend.SaveTariff(tx, "domestic", tariff.SampleYAML()); err != nil {
			return err
		}
		mary := &customer.Customer{Name: "Mary Wanjiku", Language: "sw", Phones: []string{swPhone}}
		if err := customer.Create(tx, mary); err != nil {
			return err
		}
		if err := customer.Create(tx, &customer.Customer{Name: "John Otieno", Language: "en", Phones: []string{enPhone}}); err != nil {
			return err
		}
		return customer.CreateMeter(tx, &customer.Meter{DRN: swMeter, CustomerID: mary.ID, SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255,
			BaseDate: 2014, Algorithm: "EA07", DKGA: "02", TariffID: "domestic", Area: "Kibera"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// sms returns the bodies queued to a phone, oldest first.
func sms(t *testing.T, db *store.DB, to string) []string {
	t.Helper()
	rows, err := db.Read().Query(`SELECT body, language FROM messages WHERE recipient = $1 ORDER BY queued_at, id`, to)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b, l string
		rows.Scan(&b, &l)
		out = append(out, l+": "+b)
	}
	return out
}

// A ticket from each channel gets its reference to the customer by SMS in
// their language; a staff reply goes out in the thread and counts as the
// first response; the customer's answer lands on the ticket and reopens it;
// resolving it tells the customer. Internal notes stay internal.
func TestTicketLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		customers(t, db)
		d := &care.Desk{DB: db}
		for _, ch := range care.Channels {
			tk, repeat, err := d.Open(ctx, care.Request{Channel: ch, MSISDN: enPhone, Category: care.CategoryBilling, Account: ch, Note: "charged twice"})
			if err != nil || repeat || tk.Channel != ch || tk.State != care.StateNew || tk.Team != "billing" || tk.Language != "en" {
				t.Fatalf("open by %s: %+v, %v, %v", ch, tk, repeat, err)
			}
		}
		if got := sms(t, db, enPhone); len(got) != len(care.Channels) || !strings.Contains(got[0], "We received your report F-") {
			t.Fatalf("acks to the English customer: %q", got)
		}
		if _, _, err := d.Open(ctx, care.Request{Channel: "fax", MSISDN: enPhone, Category: care.CategoryBilling}); err == nil {
			t.Error("a ticket by an unknown channel was opened")
		}
		if _, _, err := d.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: enPhone, Category: "flood"}); err == nil {
			t.Error("a ticket of an unknown category was opened")
		}

		tk, _, err := d.Open(ctx, care.Request{Channel: care.ChannelUSSD, MSISDN: swPhone, MeterDRN: swMeter, Category: care.CategoryOutage})
		if err != nil {
			t.Fatal(err)
		}
		again, repeat, _ := d.Open(ctx, care.Request{Channel: care.ChannelUSSD, MSISDN: swPhone, MeterDRN: swMeter, Category: care.CategoryOutage})
		if !repeat || again.ID != tk.ID {
			t.Errorf("a repeat within minutes opened %s, want %s", again.Ref, tk.Ref)
		}
		if err := d.Note(ctx, tk.ID, "staff:amina", "transformer K12 down"); err != nil {
			t.Fatal(err)
		}
		if err := d.Reply(ctx, tk.ID, "staff:amina", "Mafundi wako njiani"); err != nil {
			t.Fatal(err)
		}
		if err := d.SetState(ctx, tk.ID, "staff:amina", care.StatePendingCustomer); err != nil {
			t.Fatal(err)
		}
		got, ok, err := d.CustomerMessage(ctx, swPhone, "bado hakuna umeme")
		if err != nil || !ok || got.ID != tk.ID || got.State != care.StateOpen {
			t.Fatalf("customer's SMS: %+v, %v, %v; want it on %s, reopened", got, ok, err, tk.Ref)
		}
		if _, ok, _ := d.CustomerMessage(ctx, "254799999999", "hello"); ok {
			t.Error("an SMS from a phone without a ticket landed on one")
		}
		n, err := d.BulkReply(ctx, "Kibera", "staff:amina", "Power is back", "Umeme umerudi")
		if err != nil || n != 1 {
			t.Fatalf("bulk reply: %d, %v; want 1", n, err)
		}
		if err := d.SetState(ctx, tk.ID, "staff:amina", care.StateResolved); err != nil {
			t.Fatal(err)
		}
		if err := d.SetState(ctx, tk.ID, "staff:amina", care.StateNew); err == nil {
			t.Error("a resolved ticket became new")
		}
		if err := d.SetState(ctx, tk.ID, "staff:amina", "lost"); err == nil {
			t.Error("an unknown state was set")
		}
		tk, _ = care.GetTicket(ctx, db.Read(), tk.Ref)
		if tk.State != care.StateResolved || tk.FirstResponseAt.IsZero() || tk.ResolvedAt.IsZero() {
			t.Errorf("resolved ticket %+v", tk)
		}
		want := []string{"sw: Tumepokea ripoti yako " + tk.Ref, "sw: " + tk.Ref + ": Mafundi wako njiani", "sw: " + tk.Ref + ": Umeme umerudi", "sw: Ripoti yako " + tk.Ref + " imeshughulikiwa",
			"sw: Tulishughulikiaje ripoti yako?"} // and the CSAT question
		out := sms(t, db, swPhone)
		if len(out) != len(want) {
			t.Fatalf("SMS to the Swahili customer %q; want %d", out, len(want))
		}
		for i, w := range want {
			if !strings.HasPrefix(out[i], w) {
				t.Errorf("SMS %d = %q; want it to start %q", i, out[i], w)
			}
		}
		es, _ := care.Events(ctx, db.Read(), tk.ID)
		var kinds []string
		for _, e := range es {
			kinds = append(kinds, e.Kind)
		}
		if k := strings.Join(kinds, " "); k != "opened out note out state in state out state out" {
			t.Errorf("timeline %q", k)
		}
		cs, _ := care.CustomerEvents(ctx, db.Read(), tk.ID)
		for _, e := range cs {
			if strings.Contains(e.Body, "K12") {
				t.Error("the customer sees an internal note")
			}
		}
		prio, team := "urgent", "field"
		if err := d.Update(ctx, tk.ID, "staff:amina", care.Change{Priority: &prio, Team: &team}); err != nil {
			t.Fatal(err)
		}
		bad := "whenever"
		if err := d.Update(ctx, tk.ID, "staff:amina", care.Change{Priority: &bad}); err == nil {
			t.Error("an unknown priority was set")
		}
		queue, _ := care.Tickets(ctx, db.Read(), care.Filter{State: "active", Team: "billing"})
		if len(queue) != len(care.Channels) {
			t.Errorf("billing queue holds %d; want %d", len(queue), len(care.Channels))
		}
	})
}

// A "no token" ticket for a payment never vended pushes it through the vend
// worker and answers with its token, resolved; two tickets opened at once
// (a customer on USSD and SMS together) make one vend, not two.
func TestNoTokenSelfResolvesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		customers(t, db)
		in := payment.NewIntake(db)
		ictx, cancel := context.WithCancel(ctx)
		defer cancel()
		go in.Run(ictx)
		if _, err := in.Record(ctx, payment.Payment{Provider: payment.MpesaC2B, Receipt: "SKL51ZDR4F", Amount: money.MustFromMajor(500), Payer: swPhone, AccountRef: swMeter, PaidAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		vk, _ := sts.ParseVendingKey("ABABABABABABABAB")
		gen, _ := sts.NewSoftwareGenerator(vk)
		d := &care.Desk{DB: db, SelfHelp: &care.TokenHelp{DB: db, Vend: &vend.Worker{DB: db, Generator: gen, Tariffs: &vend.Tariffs{DB: db}}}}
		var wg sync.WaitGroup
		got := make([]care.Ticket, 2)
		for i, ch := range []string{care.ChannelUSSD, care.ChannelSMS} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tk, _, err := d.Open(ctx, care.Request{Channel: ch, MSISDN: swPhone, MeterDRN: swMeter, Category: care.CategoryNoToken})
				if err != nil {
					t.Error(err)
				}
				got[i] = tk
			}()
		}
		wg.Wait()
		if got[0].ID != got[1].ID {
			t.Errorf("two tickets %s and %s for one report made twice at once; want one", got[0].Ref, got[1].Ref)
		}
		var vends int
		db.Read().QueryRow(`SELECT count(*) FROM vends`).Scan(&vends)
		if vends != 1 {
			t.Fatalf("%d vends for one payment; want 1", vends)
		}
		v, err := vend.ByReceipt(ctx, db.Read(), "SKL51ZDR4F")
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range got {
			// A repeat returns the first ticket as it was; read it now.
			tk, _ = care.GetTicket(ctx, db.Read(), tk.ID)
			if tk.State != care.StateResolved {
				t.Errorf("ticket %s is %s; want resolved", tk.Ref, tk.State)
			}
		}
		var told int
		for _, m := range sms(t, db, swPhone) {
			if strings.Contains(m, "Tokeni: "+v.Tokens[0].Grouped()) {
				told++
			}
		}
		if told == 0 {
			t.Errorf("no SMS told the token %s: %q", v.Tokens[0].Grouped(), sms(t, db, swPhone))
		}

		// A phone that neither paid nor owns the meter hears nothing of
		// its purchase: its report stays for a person.
		stranger := "254799000222"
		tk, _, err := d.Open(ctx, care.Request{Channel: care.ChannelUSSD, MSISDN: stranger, MeterDRN: swMeter, Category: care.CategoryNoToken})
		if err != nil || tk.State != care.StateNew {
			t.Errorf("a stranger's no-token ticket for another's meter: %+v, %v; want it new", tk, err)
		}
		for _, m := range sms(t, db, stranger) {
			if strings.Contains(m, v.Tokens[0].Grouped()) || strings.Contains(m, "SKL51ZDR4F") {
				t.Errorf("the stranger was told of the owner's purchase: %q", m)
			}
		}

		// A ticket with no payment to find stays for a person.
		tk, _, err = d.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: enPhone, Category: care.CategoryNoToken})
		if err != nil || tk.State != care.StateNew {
			t.Errorf("no-token ticket without a payment: %+v, %v; want it new", tk, err)
		}
	})
}

// A "token rejected" ticket gets what the meter's message means.
func TestTokenRejectedGetsMeterAdvice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		customers(t, db)
		d := &care.Desk{DB: db}
		if _, _, err := d.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: enPhone, Category: care.CategoryTokenRejected, Note: "it says REJECT"}); err != nil {
			t.Fatal(err)
		}
		m, _ := care.FindMeterMessage("REJECT")
		name, say := m.In("en")
		if out := sms(t, db, enPhone); len(out) != 2 || out[1] != "en: "+name+": "+say {
			t.Errorf("SMS %q; want the acknowledgement and the advice for REJECT", out)
		}
	})
}

// With Background set, Open answers at once and self-help settles the
// ticket after: a USSD session does not wait on a vend.
func TestSelfHelpInBackground(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		customers(t, db)
		release := make(chan struct{})
		d := &care.Desk{DB: db, Background: true, SelfHelp: blocked{release}}
		tk, _, err := d.Open(ctx, care.Request{Channel: care.ChannelUSSD, MSISDN: swPhone, MeterDRN: swMeter, Category: care.CategoryNoToken})
		if err != nil || tk.State != care.StateNew {
			t.Fatalf("open: %+v, %v; want it new, at once", tk, err)
		}
		close(release)
		deadline := time.Now().Add(10 * time.Second)
		for tk.State != care.StateResolved && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			tk, _ = care.GetTicket(ctx, db.Read(), tk.ID)
		}
		if tk.State != care.StateResolved {
			t.Errorf("after self-help: %s; want resolved", tk.State)
		}
	})
}

// blocked settles a ticket once released.
type blocked struct{ release chan struct{} }

func (b blocked) Resolve(ctx context.Context, _ care.Ticket) (string, bool, error) {
	<-b.release
	return "done", true, nil
}
